"""The words of analyze and optimize, one catalogue per language (en, zh).

`PHRASES[lang][key]` words a `Phrase` of symderiv.analysis.results (a finding of analyze, a message
of an optimizer's run: keys `opt_*`, `lr_*`) or labels a page of optimize (`page_*`); values in
{braces} are SymPy objects, numbers or names, formatted per output style by
symderiv.output.analysis_report. The rules of convex analysis (`COMPOSITION_RULES`) are worded per
language too; `METHOD_NAMES` (English) labels the plots.
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "minimum": "local minimum", "maximum": "local maximum", "saddle": "saddle point",
        "undecided": "undecided",
        "kink": "a kink: f is not differentiable here, so the Hessian test does not apply",
        "eigenvalues": "eigenvalues", "no_points": "no critical points",
        "critical_points": "Critical points", "convexity": "convexity",
        "derivatives": "Gradient and Hessian",
        "where_smooth": " (where f is twice differentiable)",
        "colon": ": ", "period": ".", "convexity_title": "Convexity",
        "def_pd": "H has eigenvalues {ev}, all > 0: H is positive definite",
        "def_nd": "H has eigenvalues {ev}, all < 0: H is negative definite",
        "def_indef": "H has eigenvalues {ev} of both signs: H is indefinite",
        "def_psd": "H has eigenvalues {ev}, one 0 and the others > 0: H is positive semidefinite and the "
                   "second-order test is inconclusive",
        "def_nsd": "H has eigenvalues {ev}, one 0 and the others < 0: H is negative semidefinite and the "
                   "second-order test is inconclusive",
        "def_zero": "H = 0: the second-order test is inconclusive",
        "d1_pos": "f'' = {ev} > 0", "d1_neg": "f'' = {ev} < 0",
        "d1_zero": "f'' = 0: the second-order test is inconclusive",
        "so_kind": "{head}, so a {kind}",
        "V_convex": "Convex", "V_concave": "Concave", "V_neither": "Neither convex nor concave",
        "V_undecided": "Undecided",
        "neither_1d": "f''({x1}) = {c1} < 0, so f is not convex; f''({x2}) = {c2} > 0, so f is not concave either",
        "not_convex_1d": ("f''({x1}) = {c1} < 0, so f is not convex; f'' ≤ 0 at all {k} sampled points, but "
                          "concavity is not proved"),
        "not_concave_1d": ("f''({x2}) = {c2} > 0, so f is not concave; f'' ≥ 0 at all {k} sampled points, but "
                           "convexity is not proved"),
        "seed_symbols": ("X is the n × d matrix whose i-th row is x_iᵀ, z_i = θᵀx_i, ŷ_i = σ(z_i) (ŷ = σ(Xθ) "
                         "elementwise), and S = diag(ŷ_i(1 − ŷ_i))"),
        "gram_sigmoid": ("for every v, vᵀHv = (Xv)ᵀS(Xv) = Σ_i ŷ_i(1 − ŷ_i)(x_iᵀv)² ≥ 0, because "
                         "ŷ_i = σ(z_i) lies in (0, 1), so every diagonal entry ŷ_i(1 − ŷ_i) of S is > 0 and S ⪰ 0; "
                         "hence H ⪰ 0 at every θ and L is convex, for every data set"),
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
        "const": "the Hessian is constant, {H}, with eigenvalues {ev}, all {rel} 0: H is {semi} everywhere",
        "const_zero": "the Hessian is zero (an affine function): both convex and concave",
        "second": "f''({x}) = {f2} {rel} 0 for all {x} ({how})",
        "minors": "every principal minor of the Hessian is {rel} 0 at every point ({how}): {minors}",
        "minors_neg": "the Hessian of −f has every principal minor ≥ 0 at every point ({how}): {minors}",
        "composition": "by the composition rules of convex analysis: {why}",
        "gram": ("H = Σ_i g''(z_i) a_i a_iᵀ (= XᵀSX, S = diag(g''(z_i))) with z_i = {z}, a_i = ∂z_i/∂(parameters), "
                 "g(z) = {g} and g''(z) = {g2} {rel} 0 ({how}); so vᵀHv = Σ_i g''(z_i)(a_iᵀv)² {rel} 0 for every v "
                 "and every data set"),
        "neither": ("at {p1} along v = {d1}, vᵀHv = {c1} < 0: H is not positive semidefinite there, so f is not "
                    "convex; at {p2} along v = {d2}, vᵀHv = {c2} > 0, so f is not concave either"),
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
        "idx_hint": "give data (`--data FILE.csv`) to find the minimum numerically",
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
        "page_builtin": "built-in (random seed {seed})",
        "page_update": "{method}: {rule}",
        "page_theta": "θ = ({names})",
        "page_logistic_symbols": "X: the data matrix (rows x_iᵀ), ŷ⁽ᵗ⁾ = σ(Xθ⁽ᵗ⁾), S⁽ᵗ⁾ = diag(ŷ_i⁽ᵗ⁾(1 − ŷ_i⁽ᵗ⁾))",
        "method_gd": "gradient descent", "method_newton": "Newton's method",
    },
    "zh": {
        "minimum": "局部极小值点", "maximum": "局部极大值点", "saddle": "鞍点",
        "undecided": "无法判定",
        "kink": "不可导点：函数在此处不可导，不能用海森矩阵判别",
        "eigenvalues": "特征值", "no_points": "没有驻点",
        "critical_points": "驻点", "convexity": "凸性",
        "derivatives": "梯度与海森矩阵",
        "where_smooth": "（在 f 二阶可导处）", "colon": "：", "period": "。", "convexity_title": "凸性",
        "def_pd": "H 的特征值 {ev} 均 > 0，H 正定", "def_nd": "H 的特征值 {ev} 均 < 0，H 负定",
        "def_indef": "H 的特征值 {ev} 有正有负，H 不定",
        "def_psd": "H 的特征值 {ev} 中有 0、其余 > 0，H 半正定，二阶判别法失效",
        "def_nsd": "H 的特征值 {ev} 中有 0、其余 < 0，H 半负定，二阶判别法失效",
        "def_zero": "H = 0，二阶判别法失效",
        "d1_pos": "f'' = {ev} > 0", "d1_neg": "f'' = {ev} < 0", "d1_zero": "f'' = 0，二阶判别法失效",
        "so_kind": "{head}，所以是{kind}",
        "V_convex": "凸函数", "V_concave": "凹函数", "V_neither": "既不是凸函数也不是凹函数", "V_undecided": "无法判定",
        "neither_1d": "f''({x1}) = {c1} < 0，所以 f 不是凸函数；f''({x2}) = {c2} > 0，所以 f 也不是凹函数",
        "not_convex_1d": "f''({x1}) = {c1} < 0，所以 f 不是凸函数；在 {k} 个采样点上 f'' ≤ 0，但无法证明是凹函数",
        "not_concave_1d": "f''({x2}) = {c2} > 0，所以 f 不是凹函数；在 {k} 个采样点上 f'' ≥ 0，但无法证明是凸函数",
        "seed_symbols": ("记 X 为 n × d 矩阵，第 i 行为 x_iᵀ；z_i = θᵀx_i，ŷ_i = σ(z_i)（即逐元素地 ŷ = σ(Xθ)），"
                         "S = diag(ŷ_i(1 − ŷ_i))"),
        "gram_sigmoid": ("对任意 v，vᵀHv = (Xv)ᵀS(Xv) = Σ_i ŷ_i(1 − ŷ_i)(x_iᵀv)² ≥ 0。"
                         "这是因为 ŷ_i = σ(z_i) ∈ (0, 1)，S 的每个对角元 ŷ_i(1 − ŷ_i) > 0，所以 S ⪰ 0；"
                         "于是在每个 θ 处 H ⪰ 0，对任意数据 L 都是凸函数"),
        "method_exact": "解方程 ∇f = 0（精确解）",
        "method_numeric": "SymPy 无法精确求解 ∇f = 0；从 {starts} 个初始点出发数值搜索，以下为数值解",
        "method_mixed": "精确求解后，从 {starts} 个初始点出发的数值搜索又找到了其他驻点",
        "method_none": "{why}",
        "periodic": "∇f 是周期函数：驻点有无穷多个，这里只列出一两个周期内的",
        "family": "驻点构成连续集合：{sol}（不是孤立点，海森矩阵有零特征值）",
        "truncated": "共 {total} 个点，只列出前 {k} 个",
        "higher_even": "高阶导数判别：第一个非零导数 f^({k}) = {val}（偶数阶，{sign}）：局部{what}",
        "higher_odd": "高阶导数判别：第一个非零导数 f^({k}) = {val}（奇数阶）：不是极值点（拐点）",
        "positive": "为正", "negative": "为负",
        "v_convex": "凸", "v_concave": "凹", "v_neither": "非凸非凹", "v_undecided": "无法判定",
        "const": "海森矩阵是常数矩阵 {H}，特征值 {ev} 均 {rel} 0，所以 H 处处{semi}",
        "const_zero": "海森矩阵为零（仿射函数），所以既凸又凹",
        "second": "对所有 {x}，f''({x}) = {f2} {rel} 0（{how}）",
        "minors": "海森矩阵的各阶主子式在每一点都 {rel} 0（{how}），所以 H 处处半正定：{minors}",
        "minors_neg": "−f 的海森矩阵的各阶主子式在每一点都 ≥ 0（{how}），所以 H 处处半负定：{minors}",
        "composition": "由凸函数的复合规则：{why}",
        "gram": ("H = Σ_i g''(z_i) a_i a_iᵀ（= XᵀSX，S = diag(g''(z_i))），"
                 "其中 z_i = {z}，a_i = ∂z_i/∂(参数)，g(z) = {g}，g''(z) = {g2} {rel} 0（{how}）；"
                 "因此对任意 v 和任意数据，vᵀHv = Σ_i g''(z_i)(a_iᵀv)² {rel} 0"),
        "neither": ("在 {p1} 处取方向 v = {d1}，vᵀHv = {c1} < 0，H 不是半正定的，所以 f 不是凸函数；"
                    "在 {p2} 处取方向 v = {d2}，vᵀHv = {c2} > 0，所以 f 也不是凹函数"),
        "not_convex": ("不是凸函数：在 {p1} 处取方向 v = {d1}，vᵀHv = {c1} < 0；"
                       "在 {k} 个采样点上没有发现正曲率，但无法证明是凹函数"),
        "not_concave": ("不是凹函数：在 {p2} 处取方向 v = {d2}，vᵀHv = {c2} > 0；"
                        "在 {k} 个采样点上没有发现负曲率，但无法证明是凸函数"),
        "no_evidence": "无法证明海森矩阵处处半定，{k} 个采样点上曲率也没有变号",
        "gram_neither": "g''(z) = {g2} 有正有负（{z1} 时为 {v1}，{z2} 时为 {v2}），曲率取决于数据",
        "how_assumptions": "每个因子的符号已知",
        "how_square": "平方与偶次幂都 ≥ 0",
        "how_exp": "指数函数恒 > 0",
        "how_quadratic": "这是系数矩阵半正定的二次型",
        "how_factored": "因式分解后：{form}",
        "idx_no_closed_form": "没有闭式解：方程 ∇L = Σ_i g'(z_i) a_i = 0（其中 g'(z) = {g1}）关于 {params} 是超越方程",
        "idx_linear": ("方程 ∇L = Σ_i g'(z_i) a_i = 0（其中 g'(z) = {g1}）关于 {params} 是线性的（正规方程），"
                       "解取决于数据"),
        "idx_data": "在数据（{source}：{n} 个样本 × {d} 个特征）上用牛顿法迭代 {iters} 次求得的数值极小值点",
        "idx_hint": "给出数据（`--data 数据.csv`）即可数值求出极小值点",
        "mat_forms": ("f 是 {x} 的二次函数：∇f = {grad}，海森矩阵 ∇²f = {hess} 与 {x} 无关"
                      "（两个矩阵形式都已在随机数据上与分量形式核对）"),
        "mat_variable": "变量：{x}（未指定变量：按惯例取函数关于它为二次的向量；要指定其他变量，请写成 f({x}) = …）",
        "mat_affine": "∇f = {g} 与变量无关：f 是仿射函数，只有当 ∇f = 0 时才有驻点",
        "mat_stationary": "驻点满足 ∇f = 0，即 {equation}",
        "mat_solution": "当 {H} 可逆时驻点唯一：{solution}（已在随机数据上验证此处 ∇f = 0）",
        "mat_solution_unique": "{H} 可逆，驻点唯一：{solution}",
        "mat_gram_convex": ("对任意数据，海森矩阵 {H} 都是半正定的（每个格拉姆矩阵 MᵀM 满足 vᵀMᵀMv = ‖Mv‖² ≥ 0，"
                            "I 满足 vᵀv ≥ 0）：f 是凸函数，每个驻点都是全局极小值点"),
        "mat_gram_concave": "对任意数据，−∇²f = −({H}) 都是半正定的：f 是凹函数，每个驻点都是全局极大值点",
        "mat_gram_if_convex": ("当 {conditions} 时，海森矩阵 {H} 是若干半正定项（格拉姆矩阵 MᵀM、I）之和，"
                               "f 是凸函数；否则无法证明"),
        "mat_gram_if_concave": "当 {conditions} 时，−∇²f = −({H}) 是若干半正定项之和，f 是凹函数；否则无法证明",
        "mat_depends": ("海森矩阵 {H} 是常数矩阵，但取决于数据：当且仅当 {H} 半正定时 f 是凸函数"
                        "（正定时驻点是全局极小值点），半负定时是凹函数，不定时既不凸也不凹（驻点是鞍点）；"
                        "属于哪种情况取决于数据的取值"),
        "semi_convex": "半正定", "semi_concave": "半负定", "semi_convex_strict": "正定", "semi_concave_strict": "负定",
        "opt_not_reached": "{iters} 次迭代内未达到 ‖∇L‖ ≤ {tol}",
        "opt_reached": "迭代 {k} 次后 ‖∇L‖ ≤ {tol}",
        "opt_at_start": "初始点已经是驻点",
        "opt_blew_up": "{what}（第 {k} 次迭代）：{cause}",
        "opt_ran_off": "θ 趋于无穷",
        "opt_non_finite": "数值不再有限",
        "opt_non_finite_at": "第 {k} 次迭代时数值不再有限",
        "opt_unbounded": "损失函数无下界地减小（沿这条路径没有极小值；L → −∞）",
        "opt_too_large_limit": "η = {lr} 太大（在初始点附近，梯度下降要求 η < 2/λ_max ≈ {limit}）",
        "opt_too_large": "η = {lr} 太大",
        "opt_loss_rose": "损失函数连续 {n} 次迭代上升（第 {k} 次迭代）：{cause}",
        "opt_hessian_not_finite": "第 {k} 次迭代时海森矩阵出现非有限值",
        "opt_hessian_singular": "第 {k} 次迭代时海森矩阵奇异（特征值 {eigenvalues}）：牛顿步无定义",
        "opt_hessian_indefinite": ("第 {k} 次迭代时海森矩阵不是正定的（λ_min = {lam}）：牛顿步不是下降方向，"
                                   "可能走向鞍点或极大值点"),
        "lr_given": "由 `--lr` 指定",
        "lr_curvature": "即初始点处的 1/λ_max(H)，λ_max = {lam}",
        "lr_default": "取默认值，因为初始点处的海森矩阵没有正特征值",
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
        "page_builtin": "内置数据（随机种子 {seed}）",
        "page_update": "{method}的迭代公式：{rule}",
        "page_theta": "θ = ({names})",
        "page_logistic_symbols": ("其中 X 为数据矩阵（第 i 行为 x_iᵀ），ŷ⁽ᵗ⁾ = σ(Xθ⁽ᵗ⁾)，"
                                  "S⁽ᵗ⁾ = diag(ŷ_i⁽ᵗ⁾(1 − ŷ_i⁽ᵗ⁾))"),
        "method_gd": "梯度下降", "method_newton": "牛顿法",
    },
}

COMPOSITION_RULES_EN = {
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

COMPOSITION_RULES_ZH = {
    "negative_multiple": "{expr}：{curvature}函数乘以负数是{flipped}函数",
    "even_power": "{expr}：仿射表达式的偶次幂是凸函数",
    "power_at_least_one": "{expr}：非负凸函数的 p 次幂（p ≥ 1）是凸函数",
    "power_below_one": "{expr}：凹函数的 p 次幂（0 < p < 1）在定义域内是凹函数",
    "abs": "|{expr}|：仿射表达式的绝对值是凸函数",
    "max": "{expr}：凸函数的最大值是凸函数",
    "min": "{expr}：凹函数的最小值是凹函数",
    "log_sum_exp": "{expr}：仿射表达式的 log-sum-exp 是凸函数",
    "log_sigmoid": "{expr} = −softplus(−z)：z 为仿射时是凹函数",
    "log_one_minus_sigmoid": "{expr} = −softplus(z)：z 为仿射时是凹函数",
    "outer": "{expr}：{name} 是{monotonicity}的{curvature}函数，其自变量是{inner}",
}

COMPOSITION_RULES = {"en": COMPOSITION_RULES_EN, "zh": COMPOSITION_RULES_ZH}
# The words a rule is filled with (curvatures, monotonicity), per language.
RULE_WORDS = {"zh": {"convex": "凸", "concave": "凹", "affine": "仿射", "constant": "常数", "increasing": "递增",
                     "decreasing": "递减", "nonnegative": "非负"}}

METHOD_NAMES = {"gd": "gradient descent", "newton": "Newton's method"}
