"""The Starlette app: the page (`/`, its result `/result`), the JSON API (`/api/…`), KaTeX and the
page's own script under `/static`.

Every computation goes to the worker pool (symderiv.web.pool) as the CLI's argv; the API answers
with the CLI's own `--format json` text, byte for byte. Errors are JSON `{"error", "column"}` with a
4xx status (400 bad input, 408 time limit, 413 too large, 503 busy), never a traceback. The page
loads nothing from the network: a Content-Security-Policy says so to the browser as well.
"""
from __future__ import annotations

import contextlib
import json
import pathlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from symderiv.web.forms import API_FIELDS, Form, RequestError, from_json, from_query, has_work
from symderiv.web.phrases import UI
from symderiv.web.pool import Pool
from symderiv.web.render import verify_html, worked_html

HERE = pathlib.Path(__file__).parent
MAX_BODY = 64 * 1024  # bytes of a request body (and of a page URL's query)
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self'; "
       "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SEED = (r"L(\theta) = -\sum_{i=1}^{n} [y_i \log \hat{y}_i + (1-y_i)\log(1-\hat{y}_i)]",
        r"\hat{y}_i = \sigma(\theta^T x_i)")

_templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))


class _Headers:
    """Adds the security headers to every response (pure ASGI: no buffering of the body)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"no-referrer")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _error(status: int, message: str, column: int | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "column": column}, status_code=status)


async def _read_body(request: Request) -> bytes | None:
    """The body, or None when it is over MAX_BODY (the declared length or what actually arrives)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def api(request: Request) -> Response:
    """POST /api/{derive,verify,analyze}: the CLI's options as JSON in, its `--format json` out."""
    command = request.path_params["command"]
    if command not in API_FIELDS:
        return _error(404, f"no such command: {command}; use one of {', '.join(API_FIELDS)}")
    body = await _read_body(request)
    if body is None:
        return _error(413, f"the request is larger than {MAX_BODY // 1024} KiB")
    try:
        form = from_json(command, json.loads(body.decode("utf-8")) if body.strip() else {})
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _error(400, f"the request body is not JSON: {exc}")
    except RequestError as exc:
        return _error(400, str(exc))
    result = await _run(request, form, "json")
    if result["status"] != 200:
        return _error(result["status"], result["error"], result.get("column"))
    return Response(result["body"], media_type="application/json")


async def _run(request: Request, form: Form, fmt: str) -> dict[str, Any]:
    pool: Pool = request.app.state.pool
    return await pool.run(form.argv(fmt), steps=form.steps if form.mode == "verify" and form.steps else None,
                          plot=form.mode == "optimize" and fmt == "md", picture=form.mode == "analyze" and fmt == "md",
                          timeout=form.timeout)


def _form(request: Request) -> Form | Response:
    if len(request.url.query) > MAX_BODY:
        return _error(413, f"the address is longer than {MAX_BODY // 1024} KiB")
    try:
        return from_query(request.query_params, request.query_params.getlist, request.app.state.lang)
    except RequestError as exc:
        return _error(400, str(exc))


async def _result_html(request: Request, form: Form) -> tuple[str, int]:
    """The result part of the page for `form` and its HTTP status."""
    result = await _run(request, form, "md")
    ui = UI[form.lang]
    if result["status"] != 200:
        template = _templates.get_template("error.html")
        return template.render(lines=result.get("lines") or [result["error"]]), result["status"]
    body = result["body"]
    html = worked_html(body, ui["steps_label"]) if form.mode == "derive" else verify_html(body, ui["steps_label"])
    if result.get("image"):
        html += f'<figure class="picture"><img alt="{ui["picture"]}" src="{result["image"]}"></figure>'
    return html, 200


async def page(request: Request) -> Response:
    """GET /: the page; with a formula in the URL it opens with the result shown."""
    form = _form(request)
    if isinstance(form, Response):
        return form
    result, status = (await _result_html(request, form)) if has_work(form) else ("", 200)
    template = _templates.get_template("page.html")
    html = template.render(form=form, ui=UI[form.lang], result=result, seed=SEED, ui_all=json.dumps(UI))
    return HTMLResponse(html, status_code=200 if status == 200 else status)


async def result(request: Request) -> Response:
    """GET /result?…: the result part alone, which the page's script puts in place."""
    form = _form(request)
    if isinstance(form, Response):
        return form
    if not has_work(form):
        return HTMLResponse("")
    html, status = await _result_html(request, form)
    return HTMLResponse(html, status_code=status)


async def status(request: Request) -> Response:
    """GET /api/status: the pool's workers, how many are warm, requests in progress."""
    return JSONResponse(request.app.state.pool.status())


def create_app(workers: int, timeout: float, queue: int = 8, hosts: Sequence[str] = ("*",),
               lang: str = "en") -> ASGIApp:
    """The app, with a pool of `workers` processes, `timeout` seconds per request, `queue` requests
    waiting per worker; it answers only requests addressed to `hosts` (a page elsewhere that
    rebinds its own name to 127.0.0.1 is refused)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.pool = Pool(workers, timeout, queue)
        app.state.lang = lang
        try:
            yield
        finally:
            app.state.pool.close()

    app = Starlette(routes=[
        Route("/", page),
        Route("/result", result),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/api/status", status),
        Route("/api/{command}", api, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ], lifespan=lifespan, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts))])
    return _Headers(app)
