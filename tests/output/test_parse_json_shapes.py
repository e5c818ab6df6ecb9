"""`symderiv parse --format json` states shapes (issue 12, DESIGN.md "Matrix calculus"): `"shapes"`
maps every vector and matrix name to [rows, cols] under the names `derive --format json` uses
(rows of data x_i are the matrix X), `"symmetric"` lists the names declared symmetric; every field
the contract had before stays as it was."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from symderiv.calculus.engine import derive
from symderiv.cli.main import main
from symderiv.output.json import derivation_json, problem_json
from symderiv.parsing.parser import parse

SEED = r"L(\theta) = -\sum_{i=1}^{n} [y_i \log \hat{y}_i + (1-y_i)\log(1-\hat{y}_i)]"
SEED_WHERE = r"\hat{y}_i = \sigma(\theta^T x_i)"
SOFTMAX = (r"L(W) = -\sum_{i=1}^{n}\sum_{k=1}^{K} y_{ik} \log "
           r"\frac{e^{w_k^T x_i}}{\sum_{j=1}^{K} e^{w_j^T x_i}}")
CONTRACT = ["input", "function", "definitions", "variables", "relation", "readings"]


def parse_json(capsys, *argv: str) -> dict:
    assert main(["parse", *argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_sample_rows_are_the_matrix_x_as_in_derive(capsys):
    out = parse_json(capsys, SEED, "--where", SEED_WHERE)
    assert list(out)[:len(CONTRACT)] == CONTRACT
    assert out["shapes"] == {"X": ["n", "d"], "theta": ["d", 1], "y": ["n", 1], "yhat": ["n", 1]}
    assert "symmetric" not in out
    assert out["definitions"][0]["symbol"] == "yhat" and out["variables"] == ["theta"]


def test_declared_shapes_and_symmetry(capsys):
    out = parse_json(capsys, "x^T A x", "--where", r"A \in \mathbb{S}^{d}")
    assert out["shapes"] == {"A": ["d", "d"], "x": ["d", 1]}
    assert out["symmetric"] == ["A"]
    out = parse_json(capsys, r"\frac{1}{2}\|Wx - b\|^2", "--where", r"W \in \mathbb{R}^{k \times d}")
    assert out["shapes"] == {"W": ["k", "d"], "b": ["k", 1], "x": ["d", 1]}


def test_integer_sizes_are_numbers(capsys):
    out = parse_json(capsys, r"\|W\|_F^2", "--where", r"W \in \mathbb{R}^{3 \times d}")
    assert out["shapes"] == {"W": [3, "d"]}


def test_a_rows_name_taken_by_a_matrix_keeps_its_spelling(capsys):
    """x_i are rows and X is already a matrix of the formula: x keeps its own name (as in derive)."""
    out = parse_json(capsys, r"\sum_{i=1}^{n} (w^T x_i)^2 + \operatorname{tr}(X)")
    assert "x" in out["shapes"] and out["shapes"]["X"][0] == out["shapes"]["X"][1]


def test_scalars_have_no_shapes_and_the_old_fields_are_unchanged(capsys):
    out = parse_json(capsys, "f(x) = x^2")
    assert list(out) == CONTRACT
    assert "shapes" not in out and "symmetric" not in out


def test_softmax_regression(capsys):
    out = parse_json(capsys, SOFTMAX)
    assert out["shapes"] == {"W": ["K", "d"], "X": ["n", "d"], "Y": ["n", "K"]}


def _table_cases():
    path = Path(__file__).resolve().parents[1] / "data" / "matrix_corpus.py"
    spec = importlib.util.spec_from_file_location("matrix_corpus", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("matrix_corpus", module)
    spec.loader.exec_module(module)
    return [pytest.param(c.latex, c.wrt, c.where, id=c.id) for c in module.TABLE]


@pytest.mark.parametrize(("latex", "wrt", "where"), [*_table_cases(), (SEED, "theta", (SEED_WHERE,)),
                                                     (SOFTMAX, "W", ())])
def test_parse_agrees_with_derive(latex, wrt, where):
    """The shapes `parse` prints are the ones `derive` prints for the same input."""
    problem = parse(latex, list(where))
    derived = derivation_json(derive(problem, [wrt]))
    assert problem_json(problem)["shapes"] == derived["shapes"]
