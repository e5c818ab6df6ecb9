"""The words of analyze and optimize, one catalogue per language (en, zh).

`PHRASES[lang][key]` words a `Phrase` of symderiv.analysis.results; values in {braces} are SymPy
objects, numbers or names, formatted per output style by symderiv.output.analysis_report. The rules
of convex analysis (`COMPOSITION_RULES`) and the optimizer's method names are worded in English in
every language, as they always were.
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "minimum": "minimum", "maximum": "maximum", "saddle": "saddle point",
        "undecided": "undecided (a zero eigenvalue)",
        "eigenvalues": "eigenvalues", "no_points": "no critical points",
        "critical_points": "Critical points", "convexity": "convexity",
        "method_exact": "solved exactly (∇f = 0)",
        "method_numeric": ("SymPy could not solve ∇f = 0 ({why}); numeric search from {starts} starting points — "
                           "the points below are numeric"),
        "method_mixed": "solved exactly; a numeric search from {starts} starting points found more",
        "method_none": "{why}",
        "periodic": "∇f is periodic: infinitely many critical points; those shown lie in one or two periods",
        "family": "a continuum of critical points: {sol} (not isolated, so the Hessian has a zero eigenvalue)",
        "truncated": "only the first {k} of {total} points are shown",
        "higher_even": ("higher-order test: the first nonzero derivative is f^({k}) = {val} (even order, {sign}): a "
                        "local {what}"),
        "higher_odd": ("higher-order test: the first nonzero derivative is f^({k}) = {val} (odd order): not an "
                       "extremum (an inflection point)"),
        "positive": "positive", "negative": "negative",
        "v_convex": "convex", "v_concave": "concave", "v_neither": "neither", "v_undecided": "undecided",
        "const": "the Hessian is constant, {H}, with eigenvalues {ev}, all {rel} 0: {semi} everywhere",
        "const_zero": "the Hessian is zero (an affine function): both convex and concave",
        "second": "f''({x}) = {f2} {rel} 0 for all {x} ({how})",
        "minors": "every principal minor of the Hessian is {rel} 0 at every point ({how}): {minors}",
        "minors_neg": "the Hessian of −f has every principal minor ≥ 0 at every point ({how}): {minors}",
        "composition": "by the composition rules of convex analysis: {why}",
        "gram": ("H = Σ_i g''(z_i) a_i a_iᵀ (= XᵀSX, S = diag(g''(z_i))) with z_i = {z}, a_i = ∂z_i/∂(parameters), "
                 "g(z) = {g} and g''(z) = {g2} {rel} 0 ({how}); so vᵀHv = Σ_i g''(z_i)(a_iᵀv)² {rel} 0 for every v "
                 "and every data set"),
        "neither": ("negative curvature at {p1} along {d1} (vᵀHv = {c1}) and positive curvature at {p2} along {d2} "
                    "(vᵀHv = {c2})"),
        "not_convex": ("not convex: negative curvature at {p1} along {d1} (vᵀHv = {c1}); no positive curvature "
                       "found at {k} sampled points, but concavity is not proved"),
        "not_concave": ("not concave: positive curvature at {p2} along {d2} (vᵀHv = {c2}); no negative curvature "
                        "found at {k} sampled points, but convexity is not proved"),
        "no_evidence": ("no proof that the Hessian is semidefinite everywhere, and no sign change of curvature "
                        "among {k} sampled points"),
        "gram_neither": "g''(z) = {g2} takes both signs ({z1}: {v1}, {z2}: {v2}), so the curvature depends on the data",
        "how_assumptions": "each factor has a known sign",
        "how_square": "squares and even powers are ≥ 0",
        "how_exp": "exponentials are > 0",
        "how_quadratic": "a quadratic form with a positive semidefinite matrix",
        "how_factored": "after factoring: {form}",
        "idx_no_closed_form": ("no closed form: ∇L = Σ_i g'(z_i) a_i = 0 with g'(z) = {g1} is transcendental in "
                               "{params}"),
        "idx_linear": ("∇L = Σ_i g'(z_i) a_i = 0 with g'(z) = {g1} is linear in {params} (the normal equations); "
                       "its solution depends on the data"),
        "idx_data": ("numeric minimum on the data ({source}: {n} samples × {d} features), Newton's method in "
                     "{iters} iterations"),
        "idx_hint": "give data (--data FILE.csv) to find the minimum numerically",
        "semi_convex": "positive semidefinite", "semi_concave": "negative semidefinite",
        "semi_convex_strict": "positive definite", "semi_concave_strict": "negative definite",
    },
    "zh": {
        "minimum": "极小值点", "maximum": "极大值点", "saddle": "鞍点",
        "undecided": "无法判定（有零特征值）",
        "eigenvalues": "特征值", "no_points": "没有临界点",
        "critical_points": "临界点", "convexity": "凸性",
        "method_exact": "精确求解 ∇f = 0",
        "method_numeric": "SymPy 无法求解 ∇f = 0（{why}）；从 {starts} 个初始点数值搜索——以下为数值解",
        "method_mixed": "精确求解；从 {starts} 个初始点的数值搜索又找到其他临界点",
        "method_none": "{why}",
        "periodic": "∇f 是周期的：临界点有无穷多个，这里只列出一两个周期内的",
        "family": "临界点构成连续集合：{sol}（不是孤立点，Hessian 有零特征值）",
        "truncated": "共 {total} 个点，只列出前 {k} 个",
        "higher_even": "高阶导数判别：第一个非零导数 f^({k}) = {val}（偶数阶，{sign}）：局部{what}",
        "higher_odd": "高阶导数判别：第一个非零导数 f^({k}) = {val}（奇数阶）：不是极值点（拐点）",
        "positive": "为正", "negative": "为负",
        "v_convex": "凸", "v_concave": "凹", "v_neither": "非凸非凹", "v_undecided": "无法判定",
        "const": "Hessian 为常数矩阵 {H}，特征值 {ev} 均 {rel} 0：处处{semi}",
        "const_zero": "Hessian 为零（仿射函数）：既凸又凹",
        "second": "对所有 {x}，f''({x}) = {f2} {rel} 0（{how}）",
        "minors": "Hessian 的每个主子式在每一点都 {rel} 0（{how}）：{minors}",
        "minors_neg": "−f 的 Hessian 的每个主子式在每一点都 ≥ 0（{how}）：{minors}",
        "composition": "由凸分析的复合规则：{why}",
        "gram": ("H = Σ_i g''(z_i) a_i a_iᵀ（= XᵀSX，S = diag(g''(z_i))），"
                 "其中 z_i = {z}，a_i = ∂z_i/∂(参数)，g(z) = {g}，g''(z) = {g2} {rel} 0（{how}）；"
                 "因此对任意 v 和任意数据，vᵀHv = Σ_i g''(z_i)(a_iᵀv)² {rel} 0"),
        "neither": "在 {p1} 沿 {d1} 方向曲率为负（vᵀHv = {c1}），在 {p2} 沿 {d2} 方向曲率为正（vᵀHv = {c2}）",
        "not_convex": ("不是凸函数：在 {p1} 沿 {d1} 方向曲率为负（vᵀHv = {c1}）；"
                       "在 {k} 个采样点上没有发现正曲率，但无法证明是凹函数"),
        "not_concave": ("不是凹函数：在 {p2} 沿 {d2} 方向曲率为正（vᵀHv = {c2}）；"
                        "在 {k} 个采样点上没有发现负曲率，但无法证明是凸函数"),
        "no_evidence": "无法证明 Hessian 处处半定，{k} 个采样点上曲率也没有变号",
        "gram_neither": "g''(z) = {g2} 有正有负（{z1}: {v1}，{z2}: {v2}），曲率取决于数据",
        "how_assumptions": "每个因子的符号已知",
        "how_square": "平方与偶次幂 ≥ 0",
        "how_exp": "指数函数 > 0",
        "how_quadratic": "系数矩阵半正定的二次型",
        "how_factored": "因式分解后：{form}",
        "idx_no_closed_form": "没有闭式解：∇L = Σ_i g'(z_i) a_i = 0（g'(z) = {g1}）关于 {params} 是超越方程",
        "idx_linear": "∇L = Σ_i g'(z_i) a_i = 0（g'(z) = {g1}）关于 {params} 是线性的（正规方程），解取决于数据",
        "idx_data": "数据上的数值极小值点（{source}：{n} 个样本 × {d} 个特征），牛顿法 {iters} 次迭代",
        "idx_hint": "提供数据（--data FILE.csv）可数值求出极小值点",
        "semi_convex": "半正定", "semi_concave": "半负定", "semi_convex_strict": "正定", "semi_concave_strict": "负定",
    },
}

COMPOSITION_RULES = {
    "negative_multiple": "{expr}: a negative multiple of a {curvature} expression is {flipped}",
    "even_power": "{expr}: an even power of an affine expression is convex",
    "power_at_least_one": "{expr}: a power ≥ 1 of a nonnegative convex expression is convex",
    "power_below_one": "{expr}: a power in (0, 1) of a concave expression is concave (where defined)",
    "abs": "|{expr}|: the absolute value of an affine expression is convex",
    "max": "{expr}: a maximum of convex expressions is convex",
    "min": "{expr}: a minimum of concave expressions is concave",
    "log_sum_exp": "{expr}: log-sum-exp of affine expressions is convex",
    "log_sigmoid": "{expr} = −softplus(−z): concave for affine z",
    "log_one_minus_sigmoid": "{expr} = −softplus(z): concave for affine z",
    "outer": "{expr}: {name} is {curvature} and {monotonicity}, its argument {inner}",
}

METHOD_NAMES = {"gd": "gradient descent", "newton": "Newton's method"}
