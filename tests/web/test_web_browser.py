"""The page in a real browser: Playwright driving Debian's Chromium (`apt-get install chromium`).

Type the seed loss, see the gradient typeset, switch to zh, open a step, copy LaTeX, check that a
wrong derivation shows its first wrong line, and that a shared link opens with its result. Nothing
may be fetched from anywhere but the server. Skipped, with the reason, when Playwright or Chromium
is missing (`.ci/run` installs both). SYMDERIV_SCREENSHOTS=DIR keeps the screenshots.
"""
from __future__ import annotations

import os
import re
import shutil
import urllib.parse

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install '.[web]')")
expect = sync_api.expect
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.external, pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (Debian: apt-get install chromium)")]

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SEED = r"L(\theta) = -\sum_{i=1}^{n} [y_i \log \hat{y}_i + (1-y_i)\log(1-\hat{y}_i)]"
SEED_WHERE = r"\hat{y}_i = \sigma(\theta^T x_i)"
GRADIENT = r"X^{T}(\hat{y}-y)"  # compared without spaces and \left/\right
WRONG_STEPS = "\n".join([
    r"\begin{aligned}",
    r"\frac{d}{dx}(x^2+1)^3 &= 3(x^2+1)^2 \cdot \frac{d}{dx}(x^2+1) \\",
    r"&= 3(x^2+1)^2 \cdot 2x \\",
    r"&= 3(x^2+1)^2 \\",
    r"&= 3x^4 + 6x^2 + 3",
    r"\end{aligned}",
])


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, server):
    """A fresh page that may reach the server only: anything else is aborted and recorded."""
    origin = server.rstrip("/")
    context = browser.new_context(viewport={"width": 1100, "height": 1300})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    page = context.new_page()
    page.outside = []  # type: ignore[attr-defined]

    def guard(route):
        if route.request.url.startswith(origin + "/") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            page.outside.append(route.request.url)  # type: ignore[attr-defined]
            route.abort()

    page.route("**/*", guard)
    yield page
    assert page.outside == []  # type: ignore[attr-defined]
    context.close()


def shot(page, name, tmp_path):
    folder = os.environ.get("SYMDERIV_SCREENSHOTS") or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    page.screenshot(path=os.path.join(folder, name), full_page=True)


def bare(latex):
    return re.sub(r"\\left|\\right|\s", "", latex)


def annotations(locator):
    """The LaTeX KaTeX keeps in each formula's MathML <annotation> (what the page copies)."""
    return locator.locator("annotation").all_text_contents()


def test_seed_loss_zh_steps_and_copy(page, server, tmp_path):
    page.goto(server)
    page.wait_for_selector("body[data-ready='1']")
    page.locator("#latex").fill(SEED)
    page.wait_for_selector("#preview .katex")  # the live preview typesets what was typed
    assert SEED in annotations(page.locator("#preview"))
    page.locator("#where").fill(SEED_WHERE)
    page.locator("#go").click()
    page.wait_for_selector("#result .result .katex")
    top = page.locator("#result section.piece .result").first
    assert any(bare(a).endswith("=" + GRADIENT) for a in annotations(top))  # the textbook form, typeset
    assert top.locator(".katex-html").first.is_visible()
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert query["latex"] == [SEED] and query["where"] == [SEED_WHERE]  # the link to this result
    shot(page, "derive-en.png", tmp_path)

    page.select_option("#lang", "zh")
    expect(page.locator("#result h1")).to_contain_text("求导过程")
    assert page.locator("#go").text_content() == "开始计算"
    assert "lang=zh" in page.url
    page.wait_for_selector("#result details.step .katex")

    step = page.locator("#result details.step").first
    assert step.get_attribute("open") is None and not step.locator(".math.block").first.is_visible()
    step.locator("summary").click()
    assert step.get_attribute("open") is not None
    assert step.locator(".math.block .katex-html").first.is_visible()
    shot(page, "derive-zh-step.png", tmp_path)

    formula = top.locator(".formula").first  # the textbook form leads the result
    source = formula.locator(".math.block").get_attribute("data-latex")
    assert bare(source).endswith(GRADIENT)
    formula.hover()
    formula.locator("button.copy-latex").click()
    page.wait_for_selector("body[data-last-copied]")
    assert page.evaluate("navigator.clipboard.readText()") == source
    formula.locator("button.copy-md").click()
    expect(page.locator("body")).to_have_attribute("data-last-copied", re.compile(r"^\$\$"))
    assert page.evaluate("navigator.clipboard.readText()") == "$$\n" + source + "\n$$"


def test_wrong_derivation_and_claim(page, server, tmp_path):
    page.goto(server)
    page.wait_for_selector("body[data-ready='1']")
    page.locator("label.mode", has_text="Verify").click()
    assert page.locator("#steps").is_visible() and not page.locator("#hessian").is_visible()
    page.locator("#steps").fill(WRONG_STEPS)
    page.locator("#go").click()
    row = page.locator("#result tr.first-wrong")
    row.wait_for()
    assert row.locator("td").first.text_content() == "3"
    assert page.locator("#result tr.first-wrong").count() == 1
    assert row.locator("annotation").text_content() == "3(x^2+1)^2"
    shot(page, "verify-steps.png", tmp_path)

    page.locator("#steps").fill("")
    page.locator("#latex").fill(r"\sigma(x)")
    page.locator("#wrt").fill("x")
    page.locator("#claim").fill(r"\sigma(x)")
    page.locator("#go").click()
    expect(page.locator("#result")).to_contain_text("verdict: wrong")
    assert "likely slip: sigmoid" in page.locator("#result").text_content()


def test_shared_link_opens_with_result(page, server):
    page.goto(server + "?" + urllib.parse.urlencode({"latex": "x^3", "lang": "zh"}))
    page.wait_for_selector("#result .result .katex")
    assert page.locator("#lang").input_value() == "zh"
    assert any(bare(a).endswith("3x^{2}") for a in annotations(page.locator("#result .result")))
