"""What the parser says when it makes a judgment call on notation, in English and in Chinese.

The sentences live beside the parser that makes the calls; `symderiv.output.phrases` takes them
into its catalogues (keys `reading_…`), so a page says them in its own language with the math
typeset. A value is one string (the same in LaTeX and plain text: a name, the user's own LaTeX) or
a pair (LaTeX, plain text) where the two differ.
"""
from __future__ import annotations

import re

import sympy as sp

from symderiv.core.problem import Reading

READINGS: dict[str, dict[str, str]] = {
    "en": {
        "undefined_function": "reading ${src}$ as an undefined function ${name}$",
        "undefined_integer_function": "reading ${src}$ of non-integers as an undefined function ${name}$",
        "matrix_row": "read ${row}$ as the ${i}$-th row of ${matrix}$",
        "softmax_rows": "read softmax of the matrix ${matrix}$ row by row",
        "held_inverse": ("read ${label}$ as a matrix of its own: derivatives do not pass through the "
                         "inverse (of ${of}$)"),
        "frobenius": "read ${norm}$ of a matrix as the Frobenius norm",
        "gamma": "read ${src}({dots})$ as Euler's gamma function ${gamma}$",
        "derivative_function": ("read ${src}$ as the derivative of a function ${target}$: ${name}$ is taken "
                                "to depend on ${variables}$"),
        "inverse_function": "read ${src}$ as the inverse function ${inverse}$, not ${reciprocal}$",
        "argument": "read ${src}$ as ${value}$",
        "scientific": "read ${number}$ as ${value}$ (scientific notation: ${notation}$)",
        "vector": "read ${name}$ as a vector (${product}$)",
        "sample_rows": "read ${row}$ as the ${i}$-th sample, a row of the data (${product}$)",
        "matrix": "read ${name}$ as a matrix (${product}$)",
        "matrix_power": "read ${power}$ as the matrix product of ${k}$ factors ${name}$",
    },
    "zh": {
        "undefined_function": "将 ${src}$ 读作未定义函数 ${name}$",
        "undefined_integer_function": "${src}$ 的参数不是整数，读作未定义函数 ${name}$",
        "matrix_row": "将 ${row}$ 读作 ${matrix}$ 的第 ${i}$ 行",
        "softmax_rows": "对矩阵 ${matrix}$ 逐行取 softmax",
        "held_inverse": "将 ${label}$ 视为一个独立的矩阵：求导不穿过求逆（${of}$ 的逆）",
        "frobenius": "矩阵的 ${norm}$ 读作 Frobenius 范数",
        "gamma": "将 ${src}({dots})$ 读作欧拉伽马函数 ${gamma}$",
        "derivative_function": "将 ${src}$ 读作函数 ${target}$ 的导数：${name}$ 视为 ${variables}$ 的函数",
        "inverse_function": "将 ${src}$ 读作反函数 ${inverse}$，而不是 ${reciprocal}$",
        "argument": "将 ${src}$ 读作 ${value}$",
        "scientific": "将 ${number}$ 读作 ${value}$（科学记数法：${notation}$）",
        "vector": "由 ${product}$ 将 ${name}$ 读作向量",
        "sample_rows": "由 ${product}$ 将 ${row}$ 读作第 ${i}$ 个样本（数据矩阵的一行）",
        "matrix": "由 ${product}$ 将 ${name}$ 读作矩阵",
        "matrix_power": "将 ${power}$ 读作 ${k}$ 个 ${name}$ 的矩阵乘积",
    },
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def said(key: str, **values: str | tuple[str, str]) -> Reading:
    """The Reading for `key`: its English sentence in plain text, with its key and values kept."""
    spelled = tuple((name, *(v if isinstance(v, tuple) else (v, v))) for name, v in values.items())
    plain = {name: text for name, _, text in spelled}
    template = READINGS["en"][key].replace("$", "")
    text = _PLACEHOLDER.sub(lambda m: plain.get(m.group(1), m.group(0)), template)
    return Reading(text, key, spelled)


def math(value: sp.Basic, text: str) -> tuple[str, str]:
    """A SymPy value as (LaTeX, the plain text the parser already spells it with)."""
    try:
        return sp.latex(value), text
    except (TypeError, ValueError, AttributeError, NotImplementedError):   # no LaTeX for it: plain text in both
        return text, text
