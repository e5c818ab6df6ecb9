"""Every sentence symderiv prints, in English and Chinese, from one table.

Keys are rule keys (and page phrases); values hold `{placeholders}` filled with LaTeX.
"""
from __future__ import annotations

import locale
import re
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
    "chain": {"en": "chain rule with ${u} = {inner}$: ${path}$",
              "zh": "链式法则，令 ${u} = {inner}$：${path}$"},
    "term_of_sum": {"en": " (${term}$: the ${i}$-th term of the sum)",
                    "zh": "（${term}$ 表示求和中的第 ${i}$ 项）"},
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

# Page phrases (render.py, notes.py): headings, labels and the sentences around the steps.
PAGE_PHRASES = {
    "title": {"en": "Worked solution", "zh": "求导过程"},
    "problem": {"en": "Problem", "zh": "题目"},
    "differentiate": {"en": "Differentiate", "zh": "对下面的函数求导"},
    "where": {"en": "where", "zh": "其中"},
    "introduced": {"en": "({names}: introduced for the chain rule)", "zh": "（{names}：为链式法则引入）"},
    "by_vars": {"en": "with respect to {vars}.", "zh": "求导变量：{vars}。"},
    "variables": {"en": "Variables", "zh": "变量"},
    "vector_variable": {"en": "${v}$ is a vector: we differentiate by its entry ${vk}$, ${k} = 1, \\dots, {size}$",
                        "zh": "${v}$ 是向量：对它的分量 ${vk}$ 求导，${k} = 1, \\dots, {size}$"},
    "gradient_for": {"en": "Derivative with respect to ${v}$", "zh": "关于 ${v}$ 的导数"},
    "step_n": {"en": "Step {n}", "zh": "第 {n} 步"},
    "uses": {"en": "(combines steps {steps})", "zh": "（用到第 {steps} 步）"},
    "uses_one": {"en": "(uses step {steps})", "zh": "（用到第 {steps} 步）"},
    "using": {"en": "using", "zh": "其中用到"},
    "result": {"en": "Result", "zh": "结果"},
    "textbook_form": {"en": "textbook form", "zh": "教科书形式"},
    "expanded_form": {"en": "with the definitions substituted", "zh": "代入定义后"},
    "vector_form": {"en": "Vector form", "zh": "向量形式"},
    "gradient": {"en": "Gradient", "zh": "梯度"},
    "hessian": {"en": "Hessian", "zh": "Hessian 矩阵"},
    "hessian_entry": {"en": "Second derivative ${name}$", "zh": "二阶导数 ${name}$"},
    "hessian_symmetric": {"en": "The Hessian is symmetric: each entry below the diagonal equals its mirror above.",
                          "zh": "Hessian 矩阵是对称的：对角线下方的元素等于上方对应的元素。"},
    "note": {"en": "Note", "zh": "说明"},
    "otherwise": {"en": "otherwise", "zh": "其他"},
    "sep": {"en": ".", "zh": "："},          # after a bold label: "**Step 3.**", "**第 3 步：**"
    "period": {"en": ".", "zh": "。"},
    "colon": {"en": ":", "zh": "："},
    "toc": {"en": "Contents", "zh": "目录"},
    "function_label": {"en": "function", "zh": "函数"},
    # notes.py
    "worked_for": {"en": "Worked derivation of ${formula}$", "zh": "${formula}$ 的求导过程"},
    "same_as_above": {"en": "Same function as above, worked in full there: {results}",
                      "zh": "与上文同一函数，完整过程见上文：{results}"},
    "claim_ok": {"en": "The note's claim ${claim}$ agrees with this result.",
                 "zh": "笔记中的结论 ${claim}$ 与此结果一致。"},
    "claim_wrong": {"en": "The note's claim ${claim}$ does NOT agree with this result (the derivative is ${truth}$).",
                    "zh": "笔记中的结论 ${claim}$ 与此结果不一致（导数应为 ${truth}$）。"},
    "plot": {"en": "Plot", "zh": "图像"},
    "plot_curve": {"en": "the curve and its derivative", "zh": "函数曲线及其导数"},
    "plot_contour": {"en": "contours and the gradient field", "zh": "等高线与梯度场"},
    "analysis": {"en": "Critical points and convexity", "zh": "临界点与凸性"},
    "definitions_from_note": {"en": "The definitions are taken from the note ({lines}).",
                              "zh": "定义取自笔记（{lines}）。"},
    "in_terms_of": {"en": "in terms of ${name}$", "zh": "用 ${name}$ 表示"},
    "second_derivative": {"en": "Second derivative", "zh": "二阶导数"},
    "single_sample": {"en": "For one sample: the note defines ${name}$ per sample.",
                      "zh": "单个样本：笔记中按样本定义了 ${name}$。"},
    "skipped_title": {"en": "Formulas not differentiated", "zh": "未求导的公式"},
    "skipped_intro": {"en": "These formulas were left as they are:", "zh": "以下公式保持原样："},
    "line": {"en": "line {n}", "zh": "第 {n} 行"},
    "see_line": {"en": "(line {n})", "zh": "（第 {n} 行）"},
    "by_convention": {"en": "no variables given: differentiating by the parameters {vars} (ML convention)",
                      "zh": "未指定变量：按机器学习惯例对参数 {vars} 求导"},
    "generated_by": {"en": "Worked derivations inserted by symderiv.", "zh": "求导过程由 symderiv 插入。"},
    # reasons a note formula is not differentiated
    "skip_symbol": {"en": "a symbol or a reference to a function, nothing is defined",
                    "zh": "只是一个符号或对函数的引用，没有定义任何东西"},
    "skip_expression": {"en": "an expression inside the text, not a definition",
                        "zh": "正文中的表达式，不是定义"},
    "skip_update": {"en": "an update rule (parameters at step t+1), not a function to differentiate",
                    "zh": "参数更新公式（第 t+1 步的参数），不是要求导的函数"},
    "skip_gradient_def": {"en": "defines the gradient (a vector of partial derivatives)",
                          "zh": "梯度的定义（偏导数组成的向量）"},
    "skip_hessian_def": {"en": "defines the Hessian (second partial derivatives)",
                         "zh": "Hessian 矩阵的定义（二阶偏导数）"},
    "skip_critical": {"en": "the critical-point condition (an equation to solve, not a function)",
                      "zh": "临界点条件（要解的方程，不是函数）"},
    "skip_claim": {"en": "states a derivative (a claim)", "zh": "给出的是导数（一个结论）"},
    "skip_claim_checked": {"en": "states a derivative of ${f}$; checked against the worked derivation: {verdict}",
                           "zh": "给出的是 ${f}$ 的导数；与求导结果核对：{verdict}"},
    "verdict_ok": {"en": "agrees", "zh": "一致"},
    "verdict_wrong": {"en": "does NOT agree (it is ${truth}$)", "zh": "不一致（应为 ${truth}$）"},
    "skip_equation": {"en": "an equation, not the definition of a function", "zh": "方程，不是函数的定义"},
    "skip_constant": {"en": "does not depend on {vars} (no definition in the note links them)",
                      "zh": "不依赖于 {vars}（笔记中没有把它们联系起来的定义）"},
    "skip_unreadable": {"en": "could not be read: {error}", "zh": "无法解析：{error}"},
    "skip_failed": {"en": "could not be differentiated: {error}", "zh": "无法求导：{error}"},
    "skip_code": {"en": "inside code", "zh": "在代码中"},
}
PHRASES.update(PAGE_PHRASES)


def phrase(key: str, lang: str = "en", **values) -> str:
    """The sentence for `key` in `lang` (English when missing), with values filled in."""
    entry = PHRASES.get(key) or PHRASES["fallback"]
    template = entry.get(lang) or entry["en"]
    # one pass: a value's own braces (\\sqrt{u}) are never taken for a placeholder ({u})
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0),
                  template)


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
