"""The training board: a Jeopardy-style game built from a glossary of CX terms.

The glossary is data (``web/data/glossary.json``): four categories, one term per category
and value (100-400), each with a clue and the term in Spanish and English.

>>> b = board("en")
>>> [c.title for c in b.categories][:2]
['The customer', 'Culture and organisation']
>>> sorted({t.points for c in b.categories for t in c.tiles})
[100, 200, 300, 400]
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from pydantic import BaseModel, Field, model_validator

from cxpulse.errors import ConfigError

POINTS = (100, 200, 300, 400)


class Text(BaseModel):
    es: str
    en: str


class Category(BaseModel):
    id: str
    es: str
    en: str


class Term(BaseModel):
    id: str
    category: str
    points: int
    term: Text
    clue: Text


class Glossary(BaseModel):
    """The glossary file: categories and terms, checked so every board cell has one term."""

    source: str = ""
    categories: list[Category]
    terms: list[Term]

    @model_validator(mode="after")
    def _complete(self) -> Glossary:
        ids = {c.id for c in self.categories}
        cells = {(t.category, t.points) for t in self.terms}
        expected = {(c, p) for c in ids for p in POINTS}
        if cells != expected or len(self.terms) != len(expected):
            raise ValueError(
                "the glossary needs exactly one term per category and value "
                f"{POINTS}; missing {sorted(expected - cells)}, extra {sorted(cells - expected)}"
            )
        return self


class Tile(BaseModel):
    id: str
    points: int
    clue: str
    answer: str = Field(description="the term, phrased as a question as in the game")
    term: str


class BoardColumn(BaseModel):
    id: str
    title: str
    tiles: list[Tile]


class Board(BaseModel):
    """One game board in one language."""

    lang: str
    categories: list[BoardColumn]


@cache
def glossary() -> Glossary:
    """The glossary shipped with cxpulse."""
    text = resources.files("cxpulse.web").joinpath("data/glossary.json").read_text("utf-8")
    try:
        return Glossary.model_validate(json.loads(text))
    except ValueError as exc:
        raise ConfigError(f"web/data/glossary.json is not a valid glossary: {exc}") from exc


def _question(term: str, lang: str) -> str:
    return f"¿Qué es {term}?" if lang == "es" else f"What is {term}?"


def board(lang: str = "es") -> Board:
    """The board in ``lang`` (es or en): one column per category, tiles by value."""
    lang = lang if lang in ("es", "en") else "es"
    g = glossary()
    columns = []
    for cat in g.categories:
        terms = sorted((t for t in g.terms if t.category == cat.id), key=lambda t: t.points)
        columns.append(
            BoardColumn(
                id=cat.id,
                title=getattr(cat, lang),
                tiles=[
                    Tile(
                        id=t.id,
                        points=t.points,
                        clue=getattr(t.clue, lang),
                        term=getattr(t.term, lang),
                        answer=_question(getattr(t.term, lang), lang),
                    )
                    for t in terms
                ],
            )
        )
    return Board(lang=lang, categories=columns)
