"""The cache of worked formulas: a re-run of a note re-works only what changed.

An entry is keyed by everything its value depends on (the formula, the definitions and declarations
it was worked with, the options, this format's number and the code: a digest of symderiv's own source
and the versions of SymPy and latex2sympy2_extended, so an edited checkout never reads an entry an
older code wrote) and is a pickle of
(FORMAT, key, value) in a file named by the key's SHA-256, under the user cache directory
(platformdirs) or SYMDERIV_CACHE_DIR. Writes go to a temporary file renamed into place (os.replace),
so a reader never sees half an entry; an entry that cannot be read, was written by another format or
holds another key is a miss, never an error. The directory is bounded: past MAX_BYTES the entries
used least recently are removed. The entries are the user's own files, read back by the same user.
"""
from __future__ import annotations

import functools
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = 1
MAX_BYTES = 256 * 2**20


@functools.cache
def code_version() -> str:
    """symderiv's version, a digest of its source files, and the versions of the libraries that
    shape the output (a few milliseconds, once per process)."""
    from importlib import metadata

    import symderiv

    digest = hashlib.sha256()
    package = Path(symderiv.__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    libraries = []
    for name in ("sympy", "latex2sympy2_extended"):
        try:
            libraries.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            libraries.append(f"{name}=?")
    return " ".join([symderiv.__version__, digest.hexdigest()[:16], *libraries])


@dataclass(frozen=True)
class WorkedNote:
    """A whole worked note, for a re-run of the unchanged note (one entry, no SymPy loaded): its text,
    its pictures by file name, and how many formulas it worked on their own (the hits it stands for)."""

    markdown: str
    pictures: tuple[tuple[str, bytes], ...]
    units: int


def note_key(text: str, lang: str, out_name: str, plots: bool, timeout: float, style: str) -> tuple[Any, ...]:
    """The key of a whole note's entry: the note as read and every option that shapes the output
    (the output's file name names the pictures; the number of jobs shapes nothing)."""
    return ("note", text, lang, out_name, plots, timeout, style)


def cache_dir() -> Path:
    """SYMDERIV_CACHE_DIR, else the platform's user cache directory for symderiv."""
    chosen = os.environ.get("SYMDERIV_CACHE_DIR")
    if chosen:
        return Path(chosen)
    import platformdirs

    return Path(platformdirs.user_cache_dir("symderiv"))


@dataclass
class Cache:
    """Entries under `root`/notes-vFORMAT, and the hits and misses of this run (for --verbose)."""

    root: Path = field(default_factory=cache_dir)
    max_bytes: int = MAX_BYTES
    hits: int = 0
    misses: int = 0
    written: int = 0
    whole_note: bool = False      # the run was answered by the note's own entry

    @property
    def folder(self) -> Path:
        return self.root / f"notes-v{FORMAT}"

    def path(self, key: tuple[Any, ...]) -> Path:
        digest = hashlib.sha256(repr((FORMAT, code_version(), key)).encode("utf-8")).hexdigest()
        return self.folder / digest[:2] / f"{digest}.pkl"

    def get(self, key: tuple[Any, ...], count: bool = True) -> Any | None:
        """The value stored under `key`, or None (absent, unreadable, of another format or key)."""
        path = self.path(key)
        try:
            with open(path, "rb") as fh:
                stored_format, stored_key, value = pickle.load(fh)
            if stored_format != FORMAT or stored_key != (code_version(), key):
                raise ValueError("another format or key")
            os.utime(path)           # used now: the last to go when the cache is trimmed
        except Exception:  # absent, truncated, corrupt, unpicklable: all a miss
            value = None
        if count:
            if value is None:
                self.misses += 1
            else:
                self.hits += 1
        return value

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        """Store `value` under `key` atomically; a cache that cannot be written is no cache, not an error."""
        from symderiv.core.io import write_atomic

        path = self.path(key)
        try:
            data = pickle.dumps((FORMAT, (code_version(), key), value), protocol=pickle.HIGHEST_PROTOCOL)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(str(path), data)
            self.written += 1
        except Exception:
            return

    def trim(self) -> None:
        """Remove the least recently used entries until the folder holds at most 80 % of max_bytes."""
        entries = []
        try:
            for entry in self.folder.glob("*/*.pkl"):
                st = entry.stat()
                entries.append((st.st_mtime, st.st_size, entry))
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        if total <= self.max_bytes:
            return
        for _, size, entry in sorted(entries, key=lambda e: e[0]):
            if total <= 0.8 * self.max_bytes:
                break
            try:
                entry.unlink()
                total -= size
            except OSError:
                continue

    def counter(self) -> str:
        """The --verbose line."""
        whole = "; the note unchanged, read whole" if self.whole_note else ""
        return f"cache: {self.hits} hit(s), {self.misses} miss(es), {self.written} written{whole} ({self.folder})"
