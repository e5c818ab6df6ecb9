"""Hypothesis runs derandomized in CI (CI=true): the same examples every run, so a submission's
CI verdict does not depend on luck; locally every run explores new examples.

The whole session (module fixtures and the subprocesses tests start included) keeps its cache of
worked formulas in a folder of its own, never the user's: tests/notes/conftest.py gives each notes
test a fresh one on top of that."""
import atexit
import os
import shutil
import tempfile

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

_CACHE = tempfile.mkdtemp(prefix="symderiv-test-cache-")
os.environ["SYMDERIV_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)
