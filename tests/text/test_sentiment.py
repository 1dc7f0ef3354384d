"""Sentiment on hand-labelled Spanish and English comments (tests/text/data/sentiment_*.csv).

The sets were written for these tests: 15 clearly negative, 15 clearly positive and 6 neutral
(factual) comments per language about software and service, the same situations in both.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cxpulse.text import SentimentResult, polarity, sentiment
from cxpulse.text.lexicon import LexiconError

DATA = Path(__file__).parent / "data"


def _labelled(language: str) -> list[dict[str, str]]:
    with (DATA / f"sentiment_{language}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("language", ["es", "en"])
def test_sentiment_labels_match_hand_labels(language: str) -> None:
    rows = _labelled(language)
    results = sentiment([r["text"] for r in rows], language=language)  # type: ignore[arg-type]
    correct = sum(r["label"] == x.label for r, x in zip(rows, results, strict=True))
    assert correct / len(rows) >= 0.9
    for r, x in zip(rows, results, strict=True):
        # Never the opposite polarity on a clear-cut comment.
        if r["label"] == "negative":
            assert x.score < 0.05, r["text"]
        if r["label"] == "positive":
            assert x.score > -0.05, r["text"]


def test_clear_spanish_complaints_score_negative() -> None:
    complaints = [
        "Pésimo servicio, nadie responde",
        "El pedido nunca llegó",
        "No funciona desde la actualización",
        "Me cobraron de más y no me devuelven el dinero",
        "Muy lento y caro",
    ]
    results = sentiment(complaints)
    assert all(r.language == "es" for r in results)
    assert all(r.label == "negative" for r in results), results


def test_negation_flips_polarity() -> None:
    assert polarity("El soporte es bueno", "es") > 0.05
    assert polarity("El soporte no es bueno", "es") < -0.05
    assert polarity("The product works", "en") > 0
    assert polarity("The product does not work", "en") < -0.05
    assert polarity("Recebi o produto", "pt") > 0
    assert polarity("Não recebi o produto", "pt") < -0.3


def test_intensifiers_and_contrast_shift_the_score() -> None:
    assert polarity("muy bueno", "es") > polarity("bueno", "es")
    assert polarity("very good", "en") > polarity("good", "en")
    # After "pero" the second clause dominates.
    assert polarity("Es caro pero la atención es excelente", "es") > 0
    assert polarity("La atención es excelente pero es carísimo y lento", "es") < 0


def test_sentiment_accepts_one_language_per_text_and_detects_the_rest() -> None:
    results = sentiment(["Excelente", "Terrible", "Ótimo produto"], language=["es", "en", None])
    assert [r.language for r in results] == ["es", "en", "pt"]
    assert [r.label for r in results] == ["positive", "negative", "positive"]
    assert all(isinstance(r, SentimentResult) and -1 <= r.score <= 1 for r in results)


def test_sentiment_of_empty_text_is_neutral() -> None:
    (result,) = sentiment([""], language="en")
    assert result == SentimentResult(0.0, "neutral", "en")


def test_sentiment_rejects_mismatched_language_list() -> None:
    with pytest.raises(LexiconError, match="2 texts but 1 languages"):
        sentiment(["a", "b"], language=["es"])


@pytest.mark.parametrize("name", ["lexicon_es.txt", "cx_es.txt", "cx_en.txt", "cx_pt.txt"])
def test_own_lexicon_files_are_well_formed_without_duplicates(name: str) -> None:
    from importlib import resources

    from cxpulse.text.lexicon import _parse

    lines = resources.files("cxpulse.text").joinpath(name).read_text("utf-8").splitlines()
    entries = _parse(lines, name)
    terms = [term for term, _, _ in entries]
    assert len(terms) == len(set(terms)), sorted({t for t in terms if terms.count(t) > 1})
    assert all(-4.0 <= valence <= 4.0 for _, valence, _ in entries)
    assert all(neg is None or -4.0 <= neg <= 4.0 for _, _, neg in entries)


def test_emoji_carry_sentiment_in_any_language() -> None:
    assert polarity("Perfeitos 😁", "pt") > polarity("Perfeitos", "pt") > 0
    assert polarity("Pedido 12345 👎", "es") < -0.05
    assert polarity("ok :)", "en") > 0


def test_negation_reaches_only_the_first_opinion_word() -> None:
    assert polarity("The support team does not understand our problem", "en") < -0.05
    assert polarity("El soporte no entiende nuestro problema", "es") < -0.05


def test_a_solved_problem_is_not_a_complaint() -> None:
    assert polarity("The support team solved my problem in minutes", "en") > 0.05
    assert polarity("El técnico resolvió el problema en una llamada", "es") > 0.05
    assert polarity("Resolveram o problema rápido", "pt") > 0.05
    assert polarity("They never solved the problem", "en") < -0.05


def test_inflected_forms_find_their_lexicon_entry() -> None:
    assert polarity("rapidísimo", "es") > 0
    assert polarity("fáceis de usar", "pt") > 0
    assert polarity("clientes felices", "es") > 0
    assert polarity("respuestas lentas", "es") < 0
