"""Language detection on a hand-labelled list of CX comments (tests/text/data/languages.csv)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cxpulse.text import detect_language, detect_languages

DATA = Path(__file__).parent / "data"


def _labelled() -> list[dict[str, str]]:
    with (DATA / "languages.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_detect_language_is_right_on_the_labelled_comments() -> None:
    rows = _labelled()
    assert {r["language"] for r in rows} == {"es", "en", "pt"}
    predicted = detect_languages(r["text"] for r in rows)
    correct = sum(p == r["language"] for p, r in zip(predicted, rows, strict=True))
    # 60 comments, 20 per language: the same sentence in three languages, so a detector
    # that leans on shared words between Spanish and Portuguese fails here.
    assert correct / len(rows) >= 0.95


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¿Cuándo llega mi pedido?", "es"),
        ("Não recebi a nota fiscal", "pt"),
        ("Why hasn't my order shipped?", "en"),
        ("La atención fue excelente y muy rápida", "es"),
        ("O atendimento foi excelente e muito rápido", "pt"),
    ],
)
def test_detect_language_uses_spelling_and_function_words(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_detect_language_falls_back_to_default_without_clues() -> None:
    assert detect_language("12345 !!!", default="pt") == "pt"
    assert detect_language("", default="en") == "en"
    assert detect_language("OK") == "es"


def test_detect_language_on_olist_reviews_is_mostly_portuguese(shared_data: Path) -> None:
    path = shared_data / "olist" / "olist_order_reviews_dataset.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        texts = [r["review_comment_message"] for r in csv.DictReader(fh)]
    texts = [t for t in texts if t.strip()]
    detected = detect_languages(texts, default="pt")
    assert detected.count("pt") / len(texts) >= 0.98
