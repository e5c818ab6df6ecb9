"""The JSON contract and the plain-text page, under the names other stages and tests import.

`problem_json` / `derivation_json` live in `symderiv.output.json` (DESIGN.md's contract),
`problem_text` / `derivation_text` in `symderiv.output.text`; the `parse` and `derive` commands in
`symderiv.cli.derive`.
"""
from __future__ import annotations

from symderiv.output.json import derivation_json, problem_json
from symderiv.output.text import derivation_text, problem_text

__all__ = ["derivation_json", "derivation_text", "problem_json", "problem_text"]
