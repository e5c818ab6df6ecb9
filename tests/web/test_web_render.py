"""The page's HTML from the CLI's Markdown: steps folded one by one, the textbook form on top, the
facts folded, the first wrong line marked, raw HTML escaped."""
from __future__ import annotations

import re

from symderiv.web.render import verify_html, worked_html

PAGE = r"""# Worked solution: $f$

**Problem.** Differentiate

$$
f = x^3
$$

## Facts used

Fact 1 (power rule): $\frac{d}{dx} x^n = n x^{n-1}$

$$
\frac{d}{dx} x^n = n x^{n-1}
$$

## Derivative with respect to $x$

**Step 1.** power rule (fact 1)

$$
\frac{d}{dx} x^{3} = 3 x^{2}
$$

using $n = 3$.

**Step 2.** nothing else to do

$$
3 x^{2} = 3 x^{2}
$$

$$
\frac{d f}{d x} = 3 x^{2}
$$

**Vector form.**

$$
\nabla f = 3 x^{2}
$$

<script>alert(1)</script>
"""


def test_steps_fold_one_by_one_after_the_textbook_form():
    html = worked_html(PAGE, "Steps")
    steps = re.findall(r'<details class="step"><summary>(.*?)</summary>(.*?)</details>', html, re.S)
    assert [s[0].split("</strong>")[0] for s in steps] == ["<strong>Step 1.", "<strong>Step 2."]
    assert "using <span" in steps[0][1] and steps[0][1].count('class="math block"') == 1
    assert steps[1][1].count('class="math block"') == 1  # the result after the last step is not a step's
    result = html[html.index('<div class="result">'):html.index('<div class="steps">')]
    assert result.index(r"\nabla f") < result.index(r"\frac{d f}{d x}")  # the labelled last part first
    assert '<p class="steps-label">Steps (2)</p>' in html


def test_facts_fold_and_raw_html_is_escaped():
    html = worked_html(PAGE)
    assert re.search(r'<details class="aside"><summary>Facts used</summary>\s*<p>Fact 1', html)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count('<section class="piece">') == 1


def test_first_wrong_line_is_marked_once():
    report = "\n".join(["| line | | expression |", "| --- | --- | --- |", "| 1 | ✓ | $a$ |", "| 2 | ✗ | $b$ |",
                        "| 3 | ✗ | $c$ |", "", "## How the true derivative is derived", "", PAGE])
    html = verify_html(report, "Steps")
    assert html.count("first-wrong") == 2 and re.search(r'<tr class="first-wrong" id="first-wrong">\s*<td>2</td>', html)
    assert re.search(r'<details class="aside"><summary>How the true derivative is derived</summary>\s*<h1>', html)
    assert html.count('<details class="step">') == 2
