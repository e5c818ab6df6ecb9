"""`symderiv export`: a derivation's checked matrix forms as a NumPy, PyTorch or JAX module."""
