"""Critical points, their classification by the Hessian, convexity — proved, not guessed — and
gradient descent versus Newton's method on the user's own function.

A learner reads "the Hessian is positive semidefinite, so the loss is convex" and wants to see it on
their own function. Every verdict here comes with its evidence; symderiv/output/ words it.

Modules, bottom up: `results` (the typed findings), `numeric` (SymPy -> NumPy), `objective` (a
Problem's parts, sums over samples), `signs` (sign proofs), `classify`, `critical`, `composition`,
`convexity`, `data` (built-in set, CSV), `numpy_objective` (f, ∇f, H as NumPy functions), `methods`
(the two descents) and `api` (the verbs `analyze` and `optimize`). The functions `classify` and
`convexity` stay in their modules of the same name (re-exported here they would hide the modules).
The names below load their module when first asked for (PEP 562): importing one module (`results`,
`objective`) does not load the others, nor NumPy.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from symderiv.analysis.api import (
        Optimization,
        analyze,
        analyze_expr,
        analyze_problem,
        analyze_sample_sum,
        optimize,
        parse_start,
    )
    from symderiv.analysis.convexity import sample_sum_convexity
    from symderiv.analysis.critical import critical_points
    from symderiv.analysis.data import Dataset, builtin_data, load_csv
    from symderiv.analysis.methods import DEFAULT_TOL, Iterate, Run, gradient_descent, newton, run_methods
    from symderiv.analysis.numpy_objective import (
        Objective,
        build_objective,
        objective_from_expr,
        objective_from_sample_sum,
    )
    from symderiv.analysis.objective import SampleSum, problem_parts, require_explicit, sample_sum
    from symderiv.analysis.results import Analysis, Convexity, CriticalPoint, Phrase
    from symderiv.analysis.signs import prove_nonnegative

# name -> its module (of this package)
_WHERE = {
    **dict.fromkeys(("Optimization", "analyze", "analyze_expr", "analyze_problem", "analyze_sample_sum", "optimize",
                     "parse_start"), "api"),
    "sample_sum_convexity": "convexity", "critical_points": "critical",
    **dict.fromkeys(("Dataset", "builtin_data", "load_csv"), "data"),
    **dict.fromkeys(("DEFAULT_TOL", "Iterate", "Run", "gradient_descent", "newton", "run_methods"), "methods"),
    **dict.fromkeys(("Objective", "build_objective", "objective_from_expr", "objective_from_sample_sum"),
                    "numpy_objective"),
    **dict.fromkeys(("SampleSum", "problem_parts", "require_explicit", "sample_sum"), "objective"),
    **dict.fromkeys(("Analysis", "Convexity", "CriticalPoint", "Phrase"), "results"),
    "prove_nonnegative": "signs",
}

__all__ = [
    "DEFAULT_TOL", "Analysis", "Convexity", "CriticalPoint", "Dataset", "Iterate", "Objective", "Optimization",
    "Phrase", "Run", "SampleSum", "analyze", "analyze_expr", "analyze_problem", "analyze_sample_sum",
    "build_objective", "builtin_data", "critical_points", "gradient_descent",
    "load_csv", "newton", "objective_from_expr", "objective_from_sample_sum", "optimize", "parse_start",
    "problem_parts", "prove_nonnegative", "require_explicit", "run_methods", "sample_sum",
    "sample_sum_convexity",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
