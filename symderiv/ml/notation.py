"""The ML-notation tables: what a reader of machine-learning notes means by each piece of LaTeX.

Kept apart from the parser so that the conventions can be read (and extended) in one place.
"""
from __future__ import annotations

import sympy as sp

from symderiv.ml.registry import ENTRIES

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "varrho", "sigma",
    "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta",
    "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega", "ell",
}

# Unicode letters a note may contain instead of commands.
UNICODE_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu",
    "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi",
    "χ": "chi", "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta",
    "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}

# Accents become suffixes so that `latex(Symbol("yhat"))` prints `\hat{y}` again.
ACCENTS = {"hat": "hat", "widehat": "hat", "bar": "bar", "overline": "bar", "tilde": "tilde",
           "widetilde": "tilde", "dot": "dot", "ddot": "ddot", "check": "check",
           "breve": "breve", "acute": "acute", "grave": "grave"}

# Font commands: the name is kept; bold (and an arrow, `\vec{x}`) marks a vector (lower case)
# or a matrix (upper case).
BOLD_FONTS = {"mathbf", "boldsymbol", "bm", "bold", "pmb", "textbf", "vec", "overrightarrow"}
FONTS = {"mathrm", "mathit", "mathsf", "mathtt", "textrm", "text", "operatorname", "mathcal",
         "mathbb", "mathfrak", "mathscr"} | BOLD_FONTS

# One-argument elementary functions written as commands (`\sin`, `\ln`; `\log` reads its base).
ELEMENTARY = {s: e.function for e in ENTRIES if e.family != "ml" for s in e.spellings if s != "log"}

# Named functions (`\operatorname{ReLU}`, `\mathrm{softplus}`, `\sigma(`), by lower-case name: every
# registry entry's spellings, |x| and Euler's gamma function (its derivative is SymPy's, Γ·ψ).
ML_NAMED = {s: e.function for e in ENTRIES for s in e.spellings} | {"abs": sp.Abs, "gamma": sp.gamma}

# Operations on vectors and matrices, by lower-case name (`\operatorname{tr}`, `\mathrm{Tr}`, `\tr`,
# `\operatorname{diag}`, `\operatorname{softmax}`, `\operatorname{LSE}`): what the parser writes out.
MATRIX_OPERATORS = {"tr": "trace", "trace": "trace", "diag": "diag", "softmax": "softmax",
                    "logsumexp": "logsumexp", "lse": "logsumexp"}

# Letters that are functions when followed by `(`, whatever the context (f(x), g(h(x)), \ell(y, ŷ)).
FUNCTION_LETTERS = {"f", "g", "h", "ell", "sigma"}

# Relations between the two sides of a statement, as Problem.relation states them.
RELATIONS = {"=": "=", ":=": ":=", r"\coloneqq": ":=", r"\triangleq": ":=", r"\equiv": "=",
             r"\approx": "≈", "<": "<", ">": ">", r"\lt": "<", r"\gt": ">", r"\le": "≤",
             r"\leq": "≤", r"\leqslant": "≤", r"\ge": "≥", r"\geq": "≥", r"\geqslant": "≥",
             r"\ne": "≠", r"\neq": "≠"}

# Spacing and decoration commands with no mathematical meaning.
IGNORED = {",", ";", ":", "!", " ", "quad", "qquad", "displaystyle", "textstyle", "limits",
           "nolimits", "left.", "right.", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl",
           "Bigr", "biggl", "biggr", "Biggl", "Biggr", "middle", "nonumber", "notag", "mathstrut",
           "scriptstyle", "tiny", "small", "large", "Large", "enspace", "thinspace", "medspace",
           "thickspace", "negthinspace", "negmedspace", "negthickspace", ">"}

# English words met between formulas (`a = 1 or b = 2`): never read as a product of letters.
WORDS = {"and", "or", "if", "iff", "then", "for", "with", "when", "else", "otherwise", "where",
         "such", "that", "let", "since", "hence", "thus", "but", "not", "also", "given"}

ELLIPSES = {"cdots", "ldots", "dots", "vdots", "ddots"}

# Default upper bound of a sum written without one (`\sum_j`): by ML convention.
DEFAULT_SIZE = {"i": "n", "j": "d", "k": "K", "t": "T", "h": "H"}

# Parameter names, in the order ML notes use them: the default variables of a loss. Model
# weights come first; distribution parameters only when no weights appear; hyperparameters
# (λ, η, α, γ) are never differentiated by default.
PARAMETER_NAMES = ("theta", "w", "b", "beta", "W")
DISTRIBUTION_PARAMETERS = ("mu", "sigma", "phi", "psi")

UNSUPPORTED = {
    "lim": "limits are not supported",
    "oint": "contour integrals are not supported",
    "iint": "multiple integrals are not supported",
    "iiint": "multiple integrals are not supported",
    "begin{matrix}": "matrices written out entry by entry are not supported",
}
