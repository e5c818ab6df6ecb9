"""Matrix calculus: shapes, index → matrix translation and the numeric checks every matrix form passes."""
