"""Every notes test works with a cache of its own (SYMDERIV_CACHE_DIR), never the user's."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("SYMDERIV_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
