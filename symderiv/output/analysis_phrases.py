"""The words of analyze and optimize, one catalogue per language (en, zh).

`PHRASES[lang][key]` words a `Phrase` of symderiv.analysis.results (a finding of analyze, a message
of an optimizer's run: keys `opt_*`, `lr_*`) or labels a page of optimize (`page_*`); values in
{braces} are SymPy objects, numbers or names, formatted per output style by
symderiv.output.analysis_report. The rules of convex analysis (`COMPOSITION_RULES`) are worded in
English in every language, as they always were; `METHOD_NAMES` (English) labels the plots.
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "minimum": "minimum", "maximum": "maximum", "saddle": "saddle point",
        "undecided": "undecided (a zero eigenvalue)",
        "kink": "a kink: f is not differentiable here, so the Hessian test does not apply",
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
        "mat_forms": ("f is quadratic in {x}: ∇f = {grad}, and its Hessian ∇²f = {hess} does not depend on {x} "
                      "(both matrix forms checked against their index forms on random data)"),
        "mat_variable": ("variable: {x} (no variables given: the vector the function is quadratic in, by "
                         "convention; write f({x}) = … to choose another)"),
        "mat_affine": "∇f = {g} does not depend on the variable: f is affine, with critical points only where ∇f = 0",
        "mat_stationary": "critical points: ∇f = 0, that is {equation}",
        "mat_solution": ("when {H} is invertible there is exactly one: {solution} (∇f = 0 there, checked on "
                         "random data)"),
        "mat_solution_unique": "{H} is invertible, so there is exactly one: {solution}",
        "mat_gram_convex": ("the Hessian {H} is positive semidefinite for every value of the data (vᵀMᵀMv = ‖Mv‖² ≥ 0 "
                            "for each Gram term MᵀM, vᵀv ≥ 0 for I): f is convex, and each critical point is a "
                            "global minimum"),
        "mat_gram_concave": ("−∇²f = −({H}) is positive semidefinite for every value of the data: f is concave, and "
                             "each critical point is a global maximum"),
        "mat_gram_if_convex": ("the Hessian {H} is a sum of positive semidefinite terms (Gram matrices MᵀM, I) when "
                               "{conditions}: then f is convex; otherwise this is not proved"),
        "mat_gram_if_concave": ("−∇²f = −({H}) is a sum of positive semidefinite terms when {conditions}: then f is "
                                "concave; otherwise this is not proved"),
        "mat_depends": ("the Hessian {H} is constant but depends on the data: f is convex exactly when {H} is positive "
                        "semidefinite (the critical point a global minimum when it is positive definite), concave "
                        "when it is negative semidefinite, and neither when it is indefinite (a saddle point); "
                        "which one holds depends on the values of the data"),
        "semi_convex": "positive semidefinite", "semi_concave": "negative semidefinite",
        "semi_convex_strict": "positive definite", "semi_concave_strict": "negative definite",
        # optimize: why a run stopped, what happened on the way, where η came from
        "opt_not_reached": "did not reach ‖∇L‖ ≤ {tol} in {iters} iterations",
        "opt_reached": "‖∇L‖ ≤ {tol} after {k} iterations",
        "opt_at_start": "the start is already a critical point",
        "opt_blew_up": "{what} at iteration {k}: {cause}",
        "opt_ran_off": "θ ran off to infinity",
        "opt_non_finite": "values became non-finite",
        "opt_non_finite_at": "values became non-finite at iteration {k}",
        "opt_unbounded": "the loss decreases without bound (no minimum along this path; L → −∞)",
        "opt_too_large_limit": "η = {lr} is too large (gradient descent needs η < 2/λ_max ≈ {limit} near the start)",
        "opt_too_large": "η = {lr} is too large",
        "opt_loss_rose": "the loss rose {n} iterations in a row (iteration {k}): {cause}",
        "opt_hessian_not_finite": "the Hessian is not finite at iteration {k}",
        "opt_hessian_singular": "the Hessian is singular at iteration {k} (eigenvalues {eigenvalues}): the Newton step "
                                "is undefined",
        "opt_hessian_indefinite": ("the Hessian is not positive definite at iteration {k} (λ_min = {lam}): the Newton "
                                   "step is not a descent direction and may head for a saddle or maximum"),
        "lr_given": "--lr",
        "lr_curvature": "1/λ_max(H) at the start, λ_max = {lam}",
        "lr_default": "default (the Hessian at the start has no positive eigenvalue)",
        # optimize: the page
        "page_title": "Gradient descent versus Newton's method",
        "page_function": "function: {function}",
        "page_data": "data: {source}, {n} samples × {d} features{form}",
        "page_logistic": " (logistic loss: stable vectorised form)",
        "page_variables": "variables: {names}",
        "page_many": "{first} … {last} ({dim})",
        "page_start": "start: {start}; tolerance ‖∇L‖ ≤ {tol}",
        "page_run": "{method} (η = {lr}, {note})",
        "page_colon": ":",
        "page_iter": "iter",
        "page_iteration": "iteration",
        "page_summary": "summary:",
        "page_method": "method",
        "page_result": "result",
        "page_converged_one": "converged in {k} iteration",
        "page_converged": "converged in {k} iterations",
        "page_status_converged": "converged",
        "page_status_max_iters": "not converged",
        "page_status_diverged": "diverged",
        "page_status_singular": "stopped",
        "page_because": "{head} — {message}",
        "page_final": "{head}; L = {loss}, ‖∇L‖ = {grad}, θ = {theta} ({ms} ms)",
        "page_compare_one": "Newton's method needed {newton} iteration, gradient descent {gd} ({ratio}× as many)",
        "page_compare": "Newton's method needed {newton} iterations, gradient descent {gd} ({ratio}× as many)",
        "page_plot": "plot: {path}",
        "page_plot_alt": "loss and paths",
        "method_gd": "gradient descent", "method_newton": "Newton's method",
    },
    "zh": {
        "minimum": "极小值点", "maximum": "极大值点", "saddle": "鞍点",
        "undecided": "无法判定（有零特征值）",
        "kink": "折点：函数在此处不可导，Hessian 判别法不适用",
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
        "mat_forms": ("f 是 {x} 的二次函数：∇f = {grad}，Hessian 矩阵 ∇²f = {hess} 与 {x} 无关"
                      "（两个矩阵形式都已在随机数据上与分量形式核对）"),
        "mat_variable": "变量：{x}（未指定变量：按惯例取函数关于它为二次的向量；要指定其他变量，请写成 f({x}) = …）",
        "mat_affine": "∇f = {g} 与变量无关：f 是仿射函数，只有当 ∇f = 0 时才有临界点",
        "mat_stationary": "临界点满足 ∇f = 0，即 {equation}",
        "mat_solution": "当 {H} 可逆时临界点唯一：{solution}（已在随机数据上验证此处 ∇f = 0）",
        "mat_solution_unique": "{H} 可逆，临界点唯一：{solution}",
        "mat_gram_convex": ("对任意数据，Hessian 矩阵 {H} 都是半正定的（每个 Gram 项 MᵀM 满足 vᵀMᵀMv = ‖Mv‖² ≥ 0，"
                            "I 满足 vᵀv ≥ 0）：f 是凸函数，每个临界点都是全局极小值点"),
        "mat_gram_concave": "对任意数据，−∇²f = −({H}) 都是半正定的：f 是凹函数，每个临界点都是全局极大值点",
        "mat_gram_if_convex": ("当 {conditions} 时，Hessian 矩阵 {H} 是若干半正定项（Gram 矩阵 MᵀM、I）之和，"
                               "f 是凸函数；否则无法证明"),
        "mat_gram_if_concave": "当 {conditions} 时，−∇²f = −({H}) 是若干半正定项之和，f 是凹函数；否则无法证明",
        "mat_depends": ("Hessian 矩阵 {H} 是常数矩阵，但取决于数据：当且仅当 {H} 半正定时 f 是凸函数"
                        "（正定时临界点是全局极小值点），半负定时是凹函数，不定时既不凸也不凹（临界点是鞍点）；"
                        "属于哪种情况取决于数据的取值"),
        "semi_convex": "半正定", "semi_concave": "半负定", "semi_convex_strict": "正定", "semi_concave_strict": "负定",
        "opt_not_reached": "{iters} 次迭代内未达到 ‖∇L‖ ≤ {tol}",
        "opt_reached": "迭代 {k} 次后 ‖∇L‖ ≤ {tol}",
        "opt_at_start": "初始点已经是临界点",
        "opt_blew_up": "{what}（第 {k} 次迭代）：{cause}",
        "opt_ran_off": "θ 趋于无穷",
        "opt_non_finite": "数值不再有限",
        "opt_non_finite_at": "第 {k} 次迭代时数值不再有限",
        "opt_unbounded": "损失函数无下界地减小（沿这条路径没有极小值；L → −∞）",
        "opt_too_large_limit": "η = {lr} 太大（在初始点附近，梯度下降要求 η < 2/λ_max ≈ {limit}）",
        "opt_too_large": "η = {lr} 太大",
        "opt_loss_rose": "损失函数连续 {n} 次迭代上升（第 {k} 次迭代）：{cause}",
        "opt_hessian_not_finite": "第 {k} 次迭代时 Hessian 矩阵出现非有限值",
        "opt_hessian_singular": "第 {k} 次迭代时 Hessian 矩阵奇异（特征值 {eigenvalues}）：牛顿步无定义",
        "opt_hessian_indefinite": ("第 {k} 次迭代时 Hessian 矩阵不是正定的（λ_min = {lam}）：牛顿步不是下降方向，"
                                   "可能走向鞍点或极大值点"),
        "lr_given": "由 --lr 指定",
        "lr_curvature": "即初始点处的 1/λ_max(H)，λ_max = {lam}",
        "lr_default": "取默认值，因为初始点处的 Hessian 矩阵没有正特征值",
        "page_title": "梯度下降与牛顿法的比较",
        "page_function": "函数：{function}",
        "page_data": "数据：{source}，{n} 个样本 × {d} 个特征{form}",
        "page_logistic": "（逻辑回归损失：数值稳定的向量化形式）",
        "page_variables": "变量：{names}",
        "page_many": "{first} … {last}（共 {dim} 个）",
        "page_start": "初始点：{start}；容差 ‖∇L‖ ≤ {tol}",
        "page_run": "{method}（η = {lr}，{note}）",
        "page_colon": "：",
        "page_iter": "迭代",
        "page_iteration": "迭代次数",
        "page_summary": "小结：",
        "page_method": "方法",
        "page_result": "结果",
        "page_converged_one": "迭代 {k} 次后收敛",
        "page_converged": "迭代 {k} 次后收敛",
        "page_status_converged": "已收敛",
        "page_status_max_iters": "未收敛",
        "page_status_diverged": "发散",
        "page_status_singular": "中止",
        "page_because": "{head}——{message}",
        "page_final": "{head}；L = {loss}，‖∇L‖ = {grad}，θ = {theta}（用时 {ms} ms）",
        "page_compare_one": "牛顿法迭代了 {newton} 次，梯度下降迭代了 {gd} 次（是牛顿法的 {ratio} 倍）",
        "page_compare": "牛顿法迭代了 {newton} 次，梯度下降迭代了 {gd} 次（是牛顿法的 {ratio} 倍）",
        "page_plot": "图像：{path}",
        "page_plot_alt": "损失曲线与迭代路径",
        "method_gd": "梯度下降", "method_newton": "牛顿法",
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
