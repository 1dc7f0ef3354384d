"""Which of Spanish, English or Portuguese a comment is written in.

A cheap scorer: function words and marker words of each language, plus spelling that only
one language uses (``ñ``/``¿`` in Spanish, ``ã``/``ç``/``nh`` in Portuguese, ``-ing`` in
English). Good enough to pick the sentiment lexicon of a survey comment; not a general
language identifier.

>>> detect_language("El soporte tardó tres días en responder")
'es'
>>> detect_language("The support team took three days to answer")
'en'
>>> detect_language("O suporte demorou três dias para responder")
'pt'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final, Literal

from cxpulse.text.words import MARKERS, STOPWORDS, fold, raw_tokens

Language = Literal["es", "en", "pt"]
LANGUAGES: Final[tuple[Language, ...]] = ("es", "en", "pt")

# Spelling clues: (pattern on the lower-cased, accented text, language, weight per match).
_SPELLING: Final[tuple[tuple[re.Pattern[str], Language, float], ...]] = (
    (re.compile(r"[ñ¿¡]"), "es", 3.0),
    (re.compile(r"ción\b|ciones\b|\b\w+mos\b"), "es", 0.5),
    (re.compile(r"\w(?:ll)\w"), "es", 0.5),
    (re.compile(r"[ãõç]|ção\b|ções\b"), "pt", 3.0),
    (re.compile(r"[êô]|(?<!\w)é(?!\w)"), "pt", 1.5),
    (re.compile(r"\w(?:nh|lh)\w"), "pt", 1.0),
    (re.compile(r"\w+ing\b|\b\w+'(?:t|s|re|ve|ll|m|d)\b|\bth\w+"), "en", 1.5),
    (re.compile(r"\w+(?:ly|ed)\b"), "en", 0.5),
)


def _exclusive(sets: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    out = {}
    for lang, words in sets.items():
        others: set[str] = set()
        for other, more in sets.items():
            if other != lang:
                others |= more
        out[lang] = frozenset(words - others)
    return out


_ONLY_MARKERS = _exclusive(MARKERS)
_ONLY_STOPWORDS = _exclusive(STOPWORDS)


def language_scores(text: str) -> dict[Language, float]:
    """Evidence for each language in ``text`` (higher is more likely; all zero: no clue)."""
    scores: dict[Language, float] = {lang: 0.0 for lang in LANGUAGES}
    tokens = [fold(w) for w in raw_tokens(text)]
    for token in tokens:
        for lang in LANGUAGES:
            if token in _ONLY_MARKERS[lang]:
                scores[lang] += 2.0
            elif token in _ONLY_STOPWORDS[lang]:
                scores[lang] += 1.0
            elif token in STOPWORDS[lang] or token in MARKERS[lang]:
                scores[lang] += 0.3
    lowered = text.lower()
    for pattern, lang, weight in _SPELLING:
        scores[lang] += weight * min(len(pattern.findall(lowered)), 3)
    return scores


def detect_language(text: str, default: Language = "es") -> Language:
    """The language of ``text``: ``"es"``, ``"en"`` or ``"pt"``; ``default`` when there is no clue.

    Ties go to ``default`` when it is among the best, otherwise in the order es, en, pt.
    """
    scores = language_scores(text)
    best = max(scores.values())
    if best <= 0:
        return default
    winners = [lang for lang in LANGUAGES if scores[lang] == best]
    return default if default in winners else winners[0]


def detect_languages(texts: Iterable[str], default: Language = "es") -> list[Language]:
    """:func:`detect_language` over many texts."""
    return [detect_language(t, default) for t in texts]
