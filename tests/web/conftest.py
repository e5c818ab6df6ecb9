"""One `symderiv serve` for the web tests: a real uvicorn server on a free loopback port, 2 workers."""
from __future__ import annotations

import pytest
from webserver import start_server, stop_server


@pytest.fixture(scope="session")
def server() -> object:
    """The address of a running server (`http://127.0.0.1:PORT/`), 2 workers, 5 s per request."""
    proc, url = start_server("--timeout", "5")
    yield url
    stop_server(proc)
