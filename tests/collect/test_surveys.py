"""Surveys are created with a valid slug, kind and language, and found by slug or id."""

from __future__ import annotations

import pytest

from cxpulse import collect, store


def test_created_survey_is_listed_and_found_by_slug_or_id(store_url: str) -> None:
    with store.session(store_url) as s:
        made = collect.create_survey(s, "NPS-Q1", "nps", touchpoint="relationship")
    with store.session(store_url) as s:
        assert [x.slug for x in collect.list_surveys(s)] == ["nps-q1"]
        assert collect.get_survey(s, "nps-q1").id == made.id
        assert collect.get_survey(s, str(made.id)).slug == "nps-q1"
        assert collect.scale(made.kind) == (0, 10)


@pytest.mark.parametrize(
    ("slug", "kind", "language", "fragment"),
    [
        ("bad slug!", "nps", "es", "slug"),
        ("ok", "stars", "es", "kind 'stars'"),
        ("ok", "nps", "fr", "language 'fr'"),
    ],
)
def test_invalid_survey_is_refused_and_nothing_is_stored(
    store_url: str, slug: str, kind: str, language: str, fragment: str
) -> None:
    with pytest.raises(collect.CollectError, match=fragment), store.session(store_url) as s:
        collect.create_survey(s, slug, kind, language=language)
    with store.session(store_url) as s:
        assert collect.list_surveys(s) == []


def test_duplicate_slug_is_refused(store_url: str) -> None:
    with store.session(store_url) as s:
        collect.create_survey(s, "dup", "csat")
    with pytest.raises(collect.SurveyExistsError), store.session(store_url) as s:
        collect.create_survey(s, "dup", "nps")


def test_question_defaults_to_standard_wording_in_each_language(store_url: str) -> None:
    with store.session(store_url) as s:
        plain = collect.create_survey(s, "std", "nps")
        own = collect.create_survey(s, "own", "csat", question_es="¿Qué tal?", question_en="How?")
        assert "recomiende" in collect.question_text(plain, "es").lower() or "recomend" in (
            collect.question_text(plain, "es").lower()
        )
        assert "recommend" in collect.question_text(plain, "en").lower()
        assert collect.question_text(own, "es") == "¿Qué tal?"
        assert collect.question_text(own, "en") == "How?"


def test_unknown_survey_says_how_to_list_them(store_url: str) -> None:
    with store.session(store_url) as s, pytest.raises(collect.UnknownSurveyError, match="list"):
        collect.get_survey(s, "nope")
