"""Every sentence symderiv prints, in English and Chinese, from one table.

Keys are rule keys (and page phrases); values hold `{placeholders}` filled with LaTeX.
"""
from __future__ import annotations

import locale
import os

PHRASES = {
    "constant": {"en": "constant rule: the derivative of a constant is 0",
                 "zh": "常数法则：常数的导数为 0"},
    "variable": {"en": "the derivative of the variable itself is 1",
                 "zh": "变量对自身的导数为 1"},
    "kronecker": {"en": "entries of one vector: the derivative is a Kronecker delta",
                  "zh": "同一向量的分量：导数是克罗内克 δ"},
    "sum": {"en": "sum rule: differentiate term by term",
            "zh": "加法法则：逐项求导"},
    "constant_multiple": {"en": "constant factor rule: ${c}$ stays in front",
                          "zh": "常数倍法则：常数 ${c}$ 提到导数外"},
    "power": {"en": "power rule: bring down the exponent ${n}$ and lower it by one",
              "zh": "幂法则：指数 ${n}$ 乘到前面，指数减一"},
    "sqrt": {"en": "square-root rule (power ${n}$): $\\frac{d}{du}\\sqrt{u} = \\frac{1}{2\\sqrt{u}}$",
             "zh": "平方根法则（幂 ${n}$）：$\\frac{d}{du}\\sqrt{u} = \\frac{1}{2\\sqrt{u}}$"},
    "product": {"en": "product rule: differentiate one factor at a time, keep the others",
                "zh": "乘积法则：每次对一个因子求导，其余因子保持不变"},
    "quotient": {"en": "quotient rule: $(f/g)' = (f'g - fg')/g^2$",
                 "zh": "商法则：$(f/g)' = (f'g - fg')/g^2$"},
    "chain": {"en": "chain rule with $u = {inner}$: ${path}$",
              "zh": "链式法则，令 $u = {inner}$：${path}$"},
    "chain_through": {"en": "chain rule through the named intermediates: ${path}$",
                      "zh": "沿中间变量的链式法则：${path}$"},
    "exp": {"en": "exponential rule: $\\frac{d}{du} e^u = e^u$",
            "zh": "指数法则：$\\frac{d}{du} e^u = e^u$"},
    "exponential": {"en": "exponential rule: $\\frac{d}{du} a^u = a^u \\ln a$",
                    "zh": "指数法则：$\\frac{d}{du} a^u = a^u \\ln a$"},
    "log": {"en": "log rule (natural log): $\\frac{d}{du} \\log u = \\frac{1}{u}$",
            "zh": "对数法则（自然对数）：$\\frac{d}{du} \\log u = \\frac{1}{u}$"},
    "trig": {"en": "trigonometric rule", "zh": "三角函数求导法则"},
    "hyperbolic": {"en": "hyperbolic rule: $\\frac{d}{du}\\tanh u = 1 - \\tanh^2 u$",
                   "zh": "双曲函数法则：$\\frac{d}{du}\\tanh u = 1 - \\tanh^2 u$"},
    "sigmoid": {"en": "sigmoid rule: $\\sigma'(u) = \\sigma(u)\\left(1 - \\sigma(u)\\right)$",
                "zh": "sigmoid 法则：$\\sigma'(u) = \\sigma(u)\\left(1 - \\sigma(u)\\right)$"},
    "softplus": {"en": "softplus rule: $\\frac{d}{du}\\log(1 + e^u) = \\sigma(u)$",
                 "zh": "softplus 法则：$\\frac{d}{du}\\log(1 + e^u) = \\sigma(u)$"},
    "piecewise": {"en": "piecewise rule: differentiate each piece; no derivative at ${points}$",
                  "zh": "分段法则：逐段求导；在 ${points}$ 处导数不存在"},
    "piecewise_none": {"en": "piecewise rule: differentiate each piece",
                       "zh": "分段法则：逐段求导"},
    "index_sum": {"en": "sum over an index: the derivative moves inside the sum",
                  "zh": "对下标求和：导数移进求和号内"},
    "kronecker_collapse": {"en": "Kronecker delta: only the term ${j} = {k}$ of the sum survives",
                           "zh": "克罗内克 δ：求和中只剩 ${j} = {k}$ 这一项"},
    "definition": {"en": "definition: ${name} = {value}$",
                   "zh": "代入定义：${name} = {value}$"},
    "rewrite": {"en": "rewrite as ${form}$", "zh": "改写为 ${form}$"},
    "fallback": {"en": "no step-by-step rule applies: computed directly (sympy.diff)",
                 "zh": "没有适用的分步法则：直接计算（sympy.diff）"},
    "elementary": {"en": "standard derivative", "zh": "基本求导公式"},
}


def phrase(key: str, lang: str = "en", **values) -> str:
    """The sentence for `key` in `lang` (English when missing), with values filled in."""
    entry = PHRASES.get(key) or PHRASES["fallback"]
    template = entry.get(lang) or entry["en"]
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


def default_language() -> str:
    """`zh` when the locale is Chinese, else English."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "zh" if loc.lower().startswith("zh") else "en"
