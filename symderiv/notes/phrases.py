"""The sentences only a worked note says about shape declarations, in en and zh.

They belong in the phrase catalogue (`symderiv/output/phrases/en.py`, `zh.py`); until they are there
they live here, and a key the catalogue has wins, so moving them needs no change in the notes code.
"""
from __future__ import annotations

from symderiv.output.phrases import CATALOGUES, phrase

NOTE_PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "shapes_from_note": "The shapes are declared in the note ({lines}).",
        "declaration_not_used": "The declaration ${declaration}$ ({line}) does not fit this formula "
                                "({error}), so it is not used here.",
        "skip_declaration": "declares shapes, not a function to differentiate (used for {lines})",
        "skip_declaration_unused": "declares shapes, not a function to differentiate "
                                   "(no formula of the note uses {names})",
        "picture_tangent": "the curve and its tangent",
        "picture_paths": "contours with the gradient-descent and Newton paths",
        "picture_sigma": "σ and σ′",
    },
    "zh": {
        "shapes_from_note": "形状取自笔记中的声明（{lines}）。",
        "declaration_not_used": "笔记中的声明 ${declaration}$（{line}）与此公式不符（{error}），此处未采用。",
        "skip_declaration": "声明形状，不是要求导的函数（用于{lines}的公式）",
        "skip_declaration_unused": "声明形状，不是要求导的函数（笔记中没有公式用到 {names}）",
        "picture_tangent": "函数曲线及其切线",
        "picture_paths": "等高线与梯度下降、牛顿法的路径",
        "picture_sigma": "σ 与 σ′",
    },
}


def note_phrase(key: str, lang: str = "en", **values: object) -> str:
    """`phrase(key, lang, …)` for a key of the catalogue, else the sentence above."""
    if key in CATALOGUES["en"]:
        return phrase(key, lang, **values)
    template = NOTE_PHRASES.get(lang, {}).get(key) or NOTE_PHRASES["en"][key]
    return template.format(**values)
