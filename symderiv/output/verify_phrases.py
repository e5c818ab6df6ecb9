"""The words of `symderiv verify`, one catalogue per language (en, zh), and one lookup: `words()`.

`{name}` is filled with printed values: a formula (plain text, or `$…$` for Markdown), a number, a
name or another phrase. The slip sentences (`slip_*`) are keyed by slip class and filled by
symderiv.output.slip_sentences; the labels and verdict sentences by symderiv.output.verify_report.
A Chinese sentence uses full-width punctuation after Chinese text and keeps formulas as they are.
"""

from __future__ import annotations

import re

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        # verdicts and labels (text; the Markdown page adds its own bold)
        "verdict": "verdict: {verdict}",
        "v_correct": "correct", "v_wrong": "wrong", "v_undecided": "undecided",
        "likely_slip": "likely slip: {kind}",
        "slip_dash": " — ",
        "counterexample": "counterexample: {point}",
        "list_sep": ", ",
        "claimed": "  claimed: {value}",
        "true_value": "  true:    {value}",
        "line_value": "  line {n}: {value}",
        "true_derivative": "true derivative: {latex}",
        "undefined": "undefined",
        "cx_md": "Counterexample: at {point} the claim gives {claimed}, the true derivative {true}.",
        "cx_md_undefined": (r"Counterexample: at {point} the claim gives $\text{undefined}$, the true derivative "
                            "{true}."),
        "cx_line_md": "Counterexample: at {point} line {n} gives {claimed}, the true derivative {true}.",
        "cx_line_md_undefined": (r"Counterexample: at {point} line {n} gives $\text{undefined}$, the true derivative "
                                 "{true}."),
        "true_derivative_md": "True derivative:",
        "derived_text": "how the true derivative is derived:",
        "derived_md": "How the true derivative is derived",
        # a whole derivation
        "line_mark": "line {n} {mark}  {latex}",
        "first_wrong": "first wrong line: {line}",
        "first_wrong_n": "{n}",
        "none": "none",
        "final_line": "final line is the derivative: {answer}",
        "final_line_md": "Final line is the derivative: **{answer}**",
        "yes": "yes", "no": "no",
        "steps_head_md": "| line | | expression |",
        # explanation: why a verdict holds
        "differs": "the claim differs from the true derivative",
        "proved": "proved: {how}; also equal at {points} random points",
        "proved_structural": "it is the true derivative written the same way",
        "proved_structural_md": "it is the true derivative written the same way",
        "proved_cancel": "claim − truth cancels to 0",
        "proved_cancel_md": r"$\text{claim} - \text{truth}$ cancels to 0",
        "proved_simplify": "simplify(claim − truth) = 0",
        "proved_simplify_md": r"simplify($\text{claim} - \text{truth}$) = 0",
        "undecided": ("equal at all {points} tested points (max difference {difference}), "
                      "but no symbolic proof within the time limit"),
        # slip kinds
        "kind_chain": "chain", "kind_sign": "sign", "kind_factor": "factor", "kind_log": "log",
        "kind_sigmoid": "sigmoid", "kind_sum": "sum", "kind_power": "power", "kind_product": "product",
        "kind_quotient": "quotient", "kind_transpose": "transpose", "kind_unknown": "unknown",
        # slips: one sentence each
        "slip_unknown": "the claim matches none of the common slips; compare it with the true derivative below",
        "slip_quotient": ("the numerator of the quotient rule is swapped: for {quotient} it is {right} with {u}, {v}, "
                          "not {wrong}"),
        "slip_sign": ("the sign is flipped: your result is minus the true derivative "
                      "(check the minus signs of the loss and of each chain factor)"),
        "slip_natural_log": ("log is the natural logarithm here (ML convention): {identity}, without the factor "
                             "{ln10} of a base-10 logarithm"),
        "slip_base10_log": "this logarithm has base 10: {identity}; the factor {ln10} is missing",
        "slip_stray_ln10": "a stray factor {ln10}: log here is natural, not base 10",
        "slip_missing_ln10": "a missing factor {ln10} of a base-10 log",
        "slip_log_inner": "{identity}: with {u} you are missing the inner derivative {partial} {factor}",
        "slip_sigmoid": "the derivative of the sigmoid is {right}, not {wrong}",
        "slip_chain": "you are missing the factor {partial} {factor} from the chain rule{where}",
        "slip_where": " ({definition})",
        "slip_transpose": ("a missing transpose: {a} appears transposed; swap its indices (use {at} where you "
                           "wrote {a})"),
        "slip_symmetric": ("correct only if {a} is symmetric ({condition}), and {a} is not declared symmetric: in "
                           "general the derivative is {general} (if {a} is symmetric, say so: {declaration})"),
        "slip_symmetric_plain": ("correct only if {a} is symmetric ({condition}), and {a} is not declared symmetric "
                                 "(if it is, say so: {declaration})"),
        "slip_transposed_gradient": ("a missing transpose: your result is the transpose of {partial}, whose entry "
                                     "(k, j) is {entry}, so that it has the shape of {x}{symmetric}"),
        "slip_transposed_symmetric": "; it is correct for a symmetric {x} ({condition}), not in general",
        # a claim of the wrong shape
        "shape_wrong": "the claim has the wrong shape: {why}; {partial} is {expected}, the shape of {var}",
        "shape_wrong_md": "The claim has the wrong shape: {why}; {partial} is {expected}, the shape of {var}.",
        "shape_is": "it is {claim}",
        "shape_uses": "it uses {uses}",
        "shape_use": "{name} as {used} (here {name} is {shape})",
        "shape_and": " and ",
        "shape_clash": "its sizes contradict each other",
        "matrix_form": "  in matrix form: {form}",
        "matrix_form_md": "In matrix form:",
        "slip_sum": ("the sum {sum} was dropped: your result is one summand; the derivative of a sum over "
                     "samples is the sum of the summands' derivatives"),
        "slip_power": ("power rule: {identity} (exponent lowered by one), you used the exponent {used} "
                       "(with {u})"),
        "slip_product": ("product rule: in {product} the term with the derivative of {factor} ({derivative}) is "
                         "missing; {rule}"),
        "slip_factor_off": "your result is {ratio} times the true derivative: a constant factor is off",
        "slip_factor_missing": ("your result is {ratio} of the true derivative: you are missing a factor {n} "
                                "(e.g. the {n} that comes down from a power)"),
        "slip_factor_extra": ("your result is {ratio} times the true derivative: a factor {ratio} too many "
                              "(e.g. a {reciprocal} in front of the loss was dropped)"),
        "slip_mean_dropped": ("your result is {n} times the true derivative: the factor {reciprocal} of the mean "
                              "was dropped"),
        "slip_mean_extra": "your result is the true derivative divided by {n}: a factor {reciprocal} too many",
    },
    "zh": {
        "verdict": "判定：{verdict}",
        "v_correct": "正确", "v_wrong": "错误", "v_undecided": "无法判定",
        "likely_slip": "可能的错误：{kind}",
        "slip_dash": "——",
        "counterexample": "反例：{point}",
        "list_sep": "，",
        "claimed": "  所给结果：{value}",
        "true_value": "  正确结果：{value}",
        "line_value": "  第 {n} 行：{value}",
        "true_derivative": "正确导数：{latex}",
        "undefined": "无定义",
        "cx_md": "反例：在 {point} 处，所给结果为 {claimed}，正确导数为 {true}。",
        "cx_md_undefined": "反例：在 {point} 处，所给结果无定义，正确导数为 {true}。",
        "cx_line_md": "反例：在 {point} 处，第 {n} 行的值为 {claimed}，正确导数为 {true}。",
        "cx_line_md_undefined": "反例：在 {point} 处，第 {n} 行无定义，正确导数为 {true}。",
        "true_derivative_md": "正确导数：",
        "derived_text": "正确导数的求导过程：",
        "derived_md": "正确导数的求导过程",
        "line_mark": "第 {n} 行 {mark}  {latex}",
        "first_wrong": "第一处错误：{line}",
        "first_wrong_n": "第 {n} 行",
        "none": "无",
        "final_line": "最后一行是正确导数：{answer}",
        "final_line_md": "最后一行是正确导数：**{answer}**",
        "yes": "是", "no": "否",
        "steps_head_md": "| 行 | | 表达式 |",
        "differs": "所给结果与正确导数不同",
        "proved": "已证明：{how}；在 {points} 个随机点上也相等",
        "proved_structural": "所给结果与正确导数写法一致",
        "proved_structural_md": "所给结果与正确导数写法一致",
        "proved_cancel": "所给结果与正确导数之差约分后为 0",
        "proved_cancel_md": "所给结果与正确导数之差约分后为 0",
        "proved_simplify": "所给结果与正确导数之差经 simplify 化简为 0",
        "proved_simplify_md": "所给结果与正确导数之差经 simplify 化简为 0",
        "undecided": "在全部 {points} 个测试点上都相等（最大差值 {difference}），但在时间限制内未能给出符号证明",
        "kind_chain": "链式法则", "kind_sign": "符号", "kind_factor": "常数因子", "kind_log": "对数",
        "kind_sigmoid": "sigmoid 的导数", "kind_sum": "求和", "kind_power": "幂法则", "kind_product": "乘积法则",
        "kind_quotient": "商法则", "kind_transpose": "转置", "kind_unknown": "未能识别",
        "slip_unknown": "所给结果不属于常见的错误类型；请与下面的正确导数对照",
        "slip_quotient": "商法则分子的两项顺序颠倒了：对 {quotient}，令 {u}，{v}，分子应为 {right}，而不是 {wrong}",
        "slip_sign": "你的结果是正确导数的相反数，符号反了（检查损失函数前的负号以及链式法则中每个因子的符号）",
        "slip_natural_log": ("这里的 log 是自然对数（机器学习的惯例）：{identity}，"
                             "没有以 10 为底的对数才有的因子 {ln10}"),
        "slip_base10_log": "这个对数以 10 为底：{identity}；漏掉了因子 {ln10}",
        "slip_stray_ln10": "多了因子 {ln10}：这里的 log 是自然对数，不是以 10 为底的对数",
        "slip_missing_ln10": "漏掉了以 10 为底的对数的因子 {ln10}",
        "slip_log_inner": "{identity}：令 {u}，你漏掉了内层函数的导数 {partial} {factor}",
        "slip_sigmoid": "sigmoid 函数的导数是 {right}，而不是 {wrong}",
        "slip_chain": "按链式法则还要乘以内层函数的导数 {partial} {factor}{where}，你漏掉了这个因子",
        "slip_where": "（{definition}）",
        "slip_transpose": "漏了转置：{a} 的转置用错了，交换它的两个下标（把你写的 {a} 换成 {at}）",
        "slip_symmetric": ("只有当 {a} 是对称矩阵（{condition}）时你的结果才正确，而题目并没有说 {a} 对称："
                           "一般情况下导数是 {general}（若 {a} 确实对称，请声明 {declaration}）"),
        "slip_symmetric_plain": ("只有当 {a} 是对称矩阵（{condition}）时你的结果才正确，而题目并没有说 {a} 对称"
                                 "（若确实对称，请声明 {declaration}）"),
        "slip_transposed_gradient": ("漏了转置：你的结果是 {partial} 的转置；{partial} 的第 (k, j) 个元素是 {entry}，"
                                     "形状与 {x} 相同{symmetric}"),
        "slip_transposed_symmetric": "；只有当 {x} 对称（{condition}）时你的结果才正确，一般情况下不对",
        "shape_wrong": "所给结果的形状不对：{why}；{partial} 是 {expected}，与 {var} 的形状相同",
        "shape_wrong_md": "所给结果的形状不对：{why}；{partial} 是 {expected}，与 {var} 的形状相同。",
        "shape_is": "它是 {claim}",
        "shape_uses": "它把 {uses}",
        "shape_use": "{name} 当作 {used}（这里 {name} 是 {shape}）",
        "shape_and": "，把 ",
        "shape_clash": "它的各个尺寸互相矛盾",
        "matrix_form": "  矩阵形式：{form}",
        "matrix_form_md": "矩阵形式：",
        "slip_sum": "漏掉了求和 {sum}：你的结果只是其中一项；对样本求和的导数等于各项导数之和",
        "slip_power": "按幂法则 {identity}（指数减一），你用的指数却是 {used}（其中 {u}）",
        "slip_product": "{product} 中缺少对 {factor} 求导（{derivative}）的那一项；乘积法则是 {rule}",
        "slip_factor_off": "你的结果是正确导数的 {ratio} 倍：常数因子有误",
        "slip_factor_missing": "你的结果是正确导数的 {ratio}：漏掉了因子 {n}（例如对幂求导时乘到前面的 {n}）",
        "slip_factor_extra": "你的结果是正确导数的 {ratio} 倍：多了因子 {ratio}（例如丢掉了损失函数前的 {reciprocal}）",
        "slip_mean_dropped": "你的结果是正确导数的 {n} 倍：丢掉了求平均时的因子 {reciprocal}",
        "slip_mean_extra": "你的结果是正确导数除以 {n}：多了因子 {reciprocal}",
    },
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def words(key: str, lang: str = "en", **values: object) -> str:
    """The phrase `key` in `lang` (English when `lang` is unknown) with its values filled in.

    One pass: the braces of a value (`\\frac{1}{u}`) are never taken for a placeholder.
    """
    template = PHRASES.get(lang, PHRASES["en"])[key]
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template)
