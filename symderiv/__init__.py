"""symderiv: step-by-step symbolic derivatives for machine-learning calculus.

Pipeline: `parse` (LaTeX -> Problem) -> `derive` (Problem -> Derivation, a tree of rule steps)
-> `render` (Derivation -> Markdown / LaTeX / text / JSON). `verify` checks a hand derivation.
"""
from symderiv.core.errors import DeriveError, ParseError, SymderivError, TimeLimitError, VerifyError
# The verbs are bound after their modules load, so `symderiv.parse` is the function (the
# submodule stays reachable as `symderiv.parse` through `sys.modules` / `from symderiv import parse as …`).
from symderiv.parsing.parser import parse  # noqa: E402
from symderiv.calculus.engine import derive  # noqa: E402
from symderiv.check.verify import verify  # noqa: E402

__all__ = ["parse", "derive", "verify", "SymderivError", "ParseError", "DeriveError",
           "VerifyError", "TimeLimitError"]
__version__ = "0.1.0"
