"""POST /api/…: exactly the CLI's `--format json`, errors as 4xx JSON, limits that keep the server going."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from webserver import start_server, stop_server

from symderiv.cli.main import main

SEED = r"L(\theta) = -\sum_{i=1}^{n} [y_i \log \hat{y}_i + (1-y_i)\log(1-\hat{y}_i)]"
SEED_WHERE = r"\hat{y}_i = \sigma(\theta^T x_i)"
CHAIN_STEPS = r"""
$$
\begin{aligned}
\frac{d}{dx}(x^2+1)^3 &= 3(x^2+1)^2 \cdot \frac{d}{dx}(x^2+1) \\
&= 3(x^2+1)^2 \cdot 2x \\
&= 3(x^2+1)^2 \\
&= 3x^4 + 6x^2 + 3
\end{aligned}
$$
"""
HEAVY = r"f(x, y, z) = x^4 y^3 z^2 + \sin(x y z) + e^{x y} - \cos(y z^2)"  # analyze: about 4 s


def bare(latex: str) -> str:
    """LaTeX without spaces and \\left/\\right, to compare forms however the printer sizes brackets."""
    return re.sub(r"\\left|\\right|\s", "", latex)


def request(url: str, data: bytes | None = None, method: str = "POST",
            headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def post(server: str, command: str, fields: object) -> tuple[int, dict]:
    status, body, headers = request(server + "api/" + command, json.dumps(fields).encode())
    assert headers["content-type"].startswith("application/json")
    return status, json.loads(body)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    capsys.readouterr()
    main(list(argv))
    return json.loads(capsys.readouterr().out)


def test_derive_is_the_cli_json(server, capsys):
    status, data = post(server, "derive", {"latex": SEED, "where": [SEED_WHERE], "wrt": "theta", "hessian": True})
    assert status == 200
    assert data == cli(capsys, "derive", SEED, "--where", SEED_WHERE, "--wrt", "theta", "--hessian",
                       "--format", "json")
    assert bare(data["gradient"][0]["matrix"]["latex"]) == r"X^{T}(\hat{y}-y)"
    status, data = post(server, "derive", {"latex": "-x^3", "lang": "zh"})
    assert status == 200 and data == cli(capsys, "derive", "-x^3", "--format", "json")


def test_no_latex_is_the_builtin_example(server, capsys):
    status, data = post(server, "derive", {})
    assert status == 200 and data == cli(capsys, "derive", "--format", "json")


def test_verify_claim_and_steps_are_the_cli_json(server, capsys, tmp_path):
    status, data = post(server, "verify", {"latex": "x^3", "wrt": "x", "claim": "3x^3"})
    assert status == 200 and data["verdict"] == "wrong" and data["slip"] == "power"
    assert data == cli(capsys, "verify", "x^3", "--wrt", "x", "--claim", "3x^3", "--format", "json")
    path = tmp_path / "steps.md"
    path.write_text(CHAIN_STEPS, encoding="utf-8")
    status, data = post(server, "verify", {"steps": CHAIN_STEPS})
    assert status == 200 and data["first_wrong_line"] == 3
    assert data == cli(capsys, "verify", "--steps", str(path), "--format", "json")


def test_analyze_is_the_cli_json(server, capsys):
    status, data = post(server, "analyze", {"latex": "f(x, y) = x^2 - y^2"})
    assert status == 200
    assert data == cli(capsys, "analyze", "f(x, y) = x^2 - y^2", "--format", "json")


@pytest.mark.parametrize("command, fields, status, words", [
    ("derive", {"latex": "x^3 +"}, 400, "operand is missing"),
    ("derive", {"latex": "x^2", "wrt": "q"}, 400, ""),
    ("derive", {"latex": "x^2", "format": "md"}, 400, "unknown field(s) format"),
    ("derive", {"latex": 3}, 400, "latex: expected a string"),
    ("derive", {"latex": "x", "hessian": "yes"}, 400, "hessian: expected true or false"),
    ("derive", {"latex": "x", "timeout": -1}, 400, "timeout"),
    ("derive", ["x^2"], 400, "JSON object"),
    ("verify", {"latex": "x^2"}, 400, "exactly one of"),
    ("optimize", {"latex": "x^2"}, 404, "no such command"),
])
def test_errors_are_4xx_json(server, command, fields, status, words):
    got, data = post(server, command, fields)
    assert got == status and set(data) == {"error", "column"}
    assert words in data["error"] and "Traceback" not in data["error"]


def test_parse_error_gives_its_column(server):
    status, data = post(server, "derive", {"latex": "x^3 +"})
    assert status == 400 and data["column"] == 4  # 0-based, under the `+`


def test_not_json_too_large_and_wrong_method(server):
    status, body, _ = request(server + "api/derive", b"{not json")
    assert status == 400 and "not JSON" in json.loads(body)["error"]
    big = json.dumps({"latex": "x" * (70 * 1024)}).encode()
    status, body, _ = request(server + "api/derive", big)
    assert status == 413 and json.loads(body) == {"error": "the request is larger than 64 KiB", "column": None}
    status, _, _ = request(server + "api/derive", method="GET")
    assert status == 405


def test_a_heavy_request_times_out_and_blocks_no_other(server):
    """One request past its limit gets 408 while light ones are answered by the other worker meanwhile."""
    heavy: list[tuple[int, dict]] = []
    thread = threading.Thread(target=lambda: heavy.append(post(server, "analyze", {"latex": HEAVY, "timeout": 3})))
    t0 = time.monotonic()
    thread.start()
    time.sleep(0.3)
    for _ in range(3):
        status, data = post(server, "derive", {"latex": "x^3"})
        assert status == 200 and data["gradient"][0]["latex"] == "3 x^{2}"
    assert thread.is_alive()  # the light ones were answered while the heavy one was still running
    thread.join(30)
    status, data = heavy[0]
    assert status == 408 and "time limit" in data["error"] and data["column"] is None
    assert time.monotonic() - t0 < 3 + 2 + 2  # its limit, the grace before a kill, slack
    status, _ = post(server, "derive", {"latex": "x^2"})
    assert status == 200  # and the server goes on


def test_status(server):
    status, body, _ = request(server + "api/status", method="GET")
    assert status == 200 and json.loads(body) == {"workers": 2, "warm": 2, "requests": 0}


def test_help_does_not_import_the_server():
    code = ("import sys; from symderiv.cli.main import build_parser; build_parser(); "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'pebble') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_bad_serve_options_exit_2(capsys):
    assert main(["serve", "--port", "70000"]) == 2
    assert "between 0 and 65535" in capsys.readouterr().err


def test_page_from_a_link_and_its_assets(server):
    """`/?latex=…&lang=zh` has the result in the page itself; every asset is served from here."""
    query = urllib.parse.urlencode({"latex": SEED, "where": SEED_WHERE, "lang": "zh", "hessian": "1"})
    status, body, headers = request(server + "?" + query, method="GET")
    html = body.decode()
    assert status == 200 and "求导过程" in html
    assert "default-src 'none'" in headers["content-security-policy"]
    assert html.count('<div class="steps">') == 2  # the gradient and the Hessian, each with its steps folded
    assert html.count('<details class="step">') == html.count("<strong>第 ")
    start = html.index('<div class="result">')  # the gradient's: the textbook form first
    result = html[start:html.index('<div class="steps">', start)]
    assert bare(result).index(r"X^{T}(\hat{y}-y)") < bare(result).index(r"\frac{\partialL}{\partial\theta_{k}}")
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    for asset in [*assets, "/static/katex/fonts/KaTeX_Main-Regular.woff2", "/static/katex/LICENSE"]:
        assert request(server + asset.lstrip("/"), method="GET")[0] == 200


def test_page_escapes_what_was_typed(server):
    status, body, _ = request(server + "?" + urllib.parse.urlencode({"latex": "<script>alert(1)</script>"}),
                              method="GET")
    assert status == 400 and b"<script>alert" not in body and b"&lt;script&gt;" in body


def test_result_fragment_marks_first_wrong_line(server):
    query = urllib.parse.urlencode({"mode": "verify", "steps": CHAIN_STEPS})
    status, body, _ = request(server + "result?" + query, method="GET")
    html = body.decode()
    assert status == 200 and html.count('class="first-wrong"') == 1
    assert re.search(r'<tr class="first-wrong" id="first-wrong">\s*<td>3</td>', html)


def test_optimize_and_analyze_pictures_inline(server):
    for fields in ({"mode": "optimize", "latex": "f(x, y) = (x - 1)^2 + 2 y^2", "start": "-1,1"},
                   {"mode": "analyze", "latex": "f(x, y) = x^2 - y^2"}):
        status, body, _ = request(server + "result?" + urllib.parse.urlencode(fields), method="GET")
        html = body.decode()
        assert status == 200 and html.count("<img ") == 1, fields["mode"]
        assert re.search(r'<img [^>]*src="data:image/png;base64,iVBOR', html), fields["mode"]


def test_a_full_queue_is_503_and_the_server_goes_on():
    """One worker, no queue: while a heavy request runs, another is turned away at once with 503."""
    proc, url = start_server("--workers", "1", "--queue", "0", "--timeout", "2")
    try:
        heavy: list[tuple[int, dict]] = []
        thread = threading.Thread(target=lambda: heavy.append(post(url, "analyze", {"latex": HEAVY})))
        thread.start()
        time.sleep(0.5)
        t = time.monotonic()
        status, data = post(url, "derive", {"latex": "x^3"})
        assert status == 503 and "busy" in data["error"] and time.monotonic() - t < 1
        thread.join(30)
        assert heavy[0][0] == 408
        status, data = post(url, "derive", {"latex": "x^3"})
        assert status == 200 and data["gradient"][0]["latex"] == "3 x^{2}"
    finally:
        stop_server(proc)


def test_other_host_names_are_refused(server):
    """A page whose own name was rebound to 127.0.0.1 cannot read the API."""
    status, _, _ = request(server + "api/derive", b'{"latex": "x"}', headers={"Host": "evil.example:8000"})
    assert status == 400


def test_port_in_use_is_exit_2(capsys):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    assert "cannot listen on 127.0.0.1:" in capsys.readouterr().err
