"""English: every sentence symderiv prints, keyed by rule key (steps) or page phrase.

Math is between `$…$`; `{name}` is filled by `phrase()` with printed values, `{identity}` with the
rule's identity from `symderiv.output.phrases.IDENTITIES` (LaTeX or plain text, by format).
The ML functions (σ, softplus, GELU, …) have no sentence here: their registry entry names them.
"""

RULES = {
    "constant": "constant rule: the derivative of a constant is 0",
    "variable": "the derivative of the variable itself is 1",
    "kronecker": "entries of one vector: the derivative is a Kronecker delta",
    "sum": "sum rule: differentiate term by term",
    "constant_multiple": "constant factor rule: ${c}$ stays in front",
    "power": "power rule: bring down the exponent ${n}$ and lower it by one",
    "sqrt": "square-root rule (power ${n}$): ${identity}$",
    "product": "product rule: differentiate one factor at a time, keep the others",
    "quotient": "quotient rule: ${identity}$",
    "chain": "chain rule with ${u} = {inner}$: ${path}$",
    "term_of_sum": " (${term}$: the ${i}$-th term of the sum)",
    "chain_through": "chain rule through the named intermediates: ${path}$",
    "exp": "exponential rule: ${identity}$",
    "exponential": "exponential rule: ${identity}$",
    "log": "log rule (natural log): ${identity}$",
    "trig": "trigonometric rule",
    "hyperbolic": "hyperbolic rule: ${identity}$",
    "ml_function": "{name}: ${identity}$",
    "piecewise": "piecewise rule: differentiate each piece; no derivative at ${points}$",
    "piecewise_none": "piecewise rule: differentiate each piece",
    "index_sum": "sum over an index: the derivative moves inside the sum",
    "kronecker_collapse": "Kronecker delta: only the term ${j} = {k}$ of the sum survives",
    "determinant": "determinant rule (Jacobi's formula): ${identity}$",
    "inverse_entry": "inverse rule: ${identity}$",
    "definition": "definition: ${name} = {value}$",
    "rewrite": "rewrite as ${form}$",
    "fallback": "no step-by-step rule applies: computed directly (sympy.diff)",
    "elementary": "standard derivative",
}

# Pages (md, tex, text) and notes: headings, labels and the sentences around the steps.
PAGE = {
    "title": "Worked solution",
    "title_sep": ": ",  # between the title and the function: "Worked solution: $f$"
    "problem": "Problem",
    "differentiate": "Differentiate",
    "where": "where",
    "introduced": "({names}: introduced for the chain rule)",
    "by_vars": "with respect to {vars}.",
    "variables": "Variables",
    "vector_variable": "${v}$ is a vector: we differentiate by its entry ${vk}$, ${k} = 1, \\dots, {size}$",
    "matrix_variable": ("${v}$ is a ${rows} \\times {cols}$ matrix: "
                        "we differentiate by its entry ${vk}$ (row ${k}$, column ${j}$); "
                        "the gradient has the shape of ${v}$"),
    "gradient_for": "Derivative with respect to ${v}$",
    "step_n": "Step {n}",
    "uses": "(combines steps {steps})",
    "uses_one": "(uses step {steps})",
    "using": "using",
    "result": "Result",
    "textbook_form": "textbook form",
    "expanded_form": "with the definitions substituted",
    "vector_form": "Vector form",
    "matrix_form": "Matrix form",
    "matrix_defined": "${name} = {value}$",
    "matrix_signal": "${name} = {value}$: an error signal, computed once and used by the gradients of {users}",
    "matrix_softmax_rows": ("${name} = {softmax}({value})$: the softmax of each row "
                            "(each row of ${name}$ sums to 1)"),
    "matrix_sample_row": "${row}$: the ${i}$-th row of ${name}$, as a column",
    "matrix_one_hot": ("with one-hot labels (each row of ${name}$ sums to 1, ${ones} = {one}$) this is "
                       "${form}$, checked with one-hot ${name}$"),
    "matrix_rows": "${name}$: the ${rows} {times} {cols}$ matrix whose ${i}$-th row is ${row}$",
    "matrix_vector": "${name}$: a column vector with ${rows}$ entries",
    "matrix_matrix": "${name}$: a matrix of size ${rows} {times} {cols}$",
    "matrix_elementwise": "{functions} of a vector or a matrix: applied to each entry",
    "matrix_checked": "Checked against the index form at {sizes}, on random data.",
    "matrix_missing": "No matrix form passed the numerical check: the index form above is the result.",
    "matrix_layout": "A gradient has the shape of its variable.",
    "kron_layout": ("Layout: ${v}$ is read as the vector $\\operatorname{vec}({v})$ that stacks the rows of ${v}$ "
                    "(row-major), entry ${v}_{{k}{j}}$ at position $({k} - 1){cols} + {j}$; the Hessian is the "
                    "${rows}{cols} \\times {rows}{cols}$ matrix of $\\partial^2 / \\partial {v}_{{k}{j}} \\partial"
                    " {v}_{{l}{m}}$, "
                    "block $({k}, {l})$ of size ${cols} \\times {cols}$, so $A_{{k}{l}} B_{{j}{m}}$ is $A \\otimes"
                    " B$."),
    "kron_layout_plain": ("Layout: vec({v}) stacks the rows of {v} (row-major), entry {v}_{k}{j} at position"
                          " ({k}−1)·{cols} + {j}; "
                          "the Hessian is {rows}{cols} × {rows}{cols}, block ({k}, {l}) of size {cols} × {cols}, "
                          "so A_{k}{l} B_{j}{m} is A ⊗ B."),
    "gradient": "Gradient",
    "hessian": "Hessian",
    "hessian_entry": "Second derivative ${name}$",
    "hessian_symmetric": "The Hessian is symmetric: each entry below the diagonal equals its mirror above.",
    "note": "Note",
    "otherwise": "otherwise",
    "sep": ".",          # after a bold label: "**Step 3.**"
    "period": ".",
    "colon": ":",
    "toc": "Contents",
    "function_label": "function",
    # notes
    "worked_for": "Worked derivation of ${formula}$",
    "same_as_above": "Same function as above, worked in full there: {results}",
    "claim_ok": "The note's claim ${claim}$ agrees with this result.",
    "claim_wrong": "The note's claim ${claim}$ does NOT agree with this result (the derivative is ${truth}$).",
    "plot": "Plot",
    "plot_curve": "the curve and its derivative",
    "plot_contour": "contours and the gradient field",
    "analysis": "Critical points and convexity",
    "definitions_from_note": "The definitions are taken from the note ({lines}).",
    "in_terms_of": "in terms of ${name}$",
    "second_derivative": "Second derivative",
    "single_sample": "For one sample: the note defines ${name}$ per sample.",
    "skipped_title": "Formulas not differentiated",
    "skipped_intro": "These formulas were left as they are:",
    "line": "line {n}",
    "see_line": "(line {n})",
    "by_convention": "no variables given: differentiating by the parameters {vars} (ML convention)",
    "generated_by": "Worked derivations inserted by symderiv.",
    # reasons a note formula is not differentiated
    "skip_symbol": "a symbol or a reference to a function, nothing is defined",
    "skip_expression": "an expression inside the text, not a definition",
    "skip_update": "an update rule (parameters at step t+1), not a function to differentiate",
    "skip_gradient_def": "defines the gradient (a vector of partial derivatives)",
    "skip_hessian_def": "defines the Hessian (second partial derivatives)",
    "skip_critical": "the critical-point condition (an equation to solve, not a function)",
    "skip_claim": "states a derivative (a claim)",
    "skip_claim_checked": "states a derivative of ${f}$; checked against the worked derivation: {verdict}",
    "verdict_ok": "agrees",
    "verdict_wrong": "does NOT agree (it is ${truth}$)",
    "skip_equation": "an equation, not the definition of a function",
    "skip_constant": "does not depend on {vars} (no definition in the note links them)",
    "skip_unreadable": "could not be read: {error}",
    "skip_failed": "could not be differentiated: {error}",
    "skip_code": "inside code",
    "skip_time_limit": "time limit: not finished within {seconds} s (the limit per formula)",
}
