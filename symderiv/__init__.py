"""symderiv: step-by-step symbolic derivatives for machine-learning calculus.

Pipeline: `parse` (LaTeX -> Problem) -> `derive` (Problem -> Derivation, a tree of rule steps)
-> `render` (Derivation -> Markdown / LaTeX / text / JSON).
"""
from .errors import DeriveError, ParseError, SymderivError, TimeLimitError, VerifyError

__all__ = ["parse", "derive", "verify", "SymderivError", "ParseError", "DeriveError",
           "VerifyError", "TimeLimitError"]
__version__ = "0.1.0"


def __getattr__(name):
    # Lazy verbs: `import symderiv` stays as cheap as importing SymPy.
    if name == "parse":
        from .parse import parse
        return parse
    if name == "derive":
        from .derive import derive
        return derive
    if name == "verify":
        from .verify import verify
        return verify
    raise AttributeError(name)
