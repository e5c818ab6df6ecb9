"""Input and output that must not surprise: `-` reads standard input, files are written
atomically (temp file + rename) and never over an input file."""
from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable

from symderiv.core.errors import SymderivError


def read_latex_argument(value: str | None) -> str | None:
    """The LATEX argument; `-` reads it from standard input."""
    if value != "-":
        return value
    data = sys.stdin.read()
    if not data.strip():
        raise SymderivError("no formula on standard input")
    return data.strip()


def write_output(body: str, path: str | None, source_paths: Iterable[str] = ()) -> None:
    """Print `body`, or write it to `path` atomically (refusing to overwrite an input)."""
    if not path or path == "-":
        sys.stdout.write(body)
        return
    write_atomic(path, body, source_paths)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str, data: str | bytes, source_paths: Iterable[str] = ()) -> None:
    """Write text or bytes to `path` via a temporary file in the same folder and a rename.

    A symlink is written through (the link stays, its target gets the new text); the temporary file
    is removed on every way out, an interrupt or SIGTERM included.
    """
    target = os.path.realpath(path) if os.path.islink(path) else os.path.abspath(path)
    for src in source_paths:
        if src and os.path.exists(src) and os.path.exists(target) and os.path.samefile(src, target):
            raise SymderivError(f"refusing to write over the input file {path}")
    folder = os.path.dirname(target) or "."
    if not os.path.isdir(folder):
        raise SymderivError(f"the folder {folder} does not exist")
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".symderiv-", dir=folder)
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a note should get the usual mode
        os.replace(tmp, target)
        tmp = ""
    except OSError as exc:
        raise SymderivError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
