"""Run the app on uvicorn: bind first (so `--port 0` can say which port it got), print the address,
open the browser when asked, serve until Ctrl-C."""
from __future__ import annotations

import socket
import sys
import threading
import webbrowser

import uvicorn

from symderiv.core.errors import SymderivError
from symderiv.web.app import create_app


def _bind(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise SymderivError(f"--host {host}: {exc.strerror}") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise SymderivError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    return sock


def serve(host: str, port: int, workers: int, timeout: float, queue: int = 8, lang: str = "en",
          open_browser: bool = False) -> None:
    """Serve the page and the API on host:port until interrupted."""
    sock = _bind(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/"
    print(f"symderiv: serving on {url} with {workers} worker(s); Ctrl-C stops", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"symderiv: note: --host {host} makes the page reachable from other machines", file=sys.stderr)
    hosts = ["*"] if host in ("0.0.0.0", "::", "") else [host, "localhost", "127.0.0.1", "[::1]"]
    config = uvicorn.Config(create_app(workers, timeout, queue, hosts, lang), log_level="warning", lifespan="on",
                            limit_concurrency=workers * (queue + 1) * 2 + 8, timeout_keep_alive=5)
    server = uvicorn.Server(config)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn stops cleanly, then hands Ctrl-C on: the normal way to end a server
        print("symderiv: stopped", file=sys.stderr)
    finally:
        sock.close()
