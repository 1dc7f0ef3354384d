"""Sentiment of short comments in Spanish, English and Portuguese, from lexicons.

A VADER-style scorer (Hutto & Gilbert, 2014) with one code path for the three languages:
each opinion word or phrase carries a valence; an intensifier ("muy", "very", "muito") before
it strengthens it, a negation in the three words before it flips and dampens it (or replaces it
with the term's own negated valence: "no llegó", "não recebi"), a word in capitals stresses it,
text after "pero"/"but"/"mas" weighs more than text before, and exclamation marks add emphasis.
The sum is squashed to -1..1 the way VADER does (``s / sqrt(s² + 15)``).

>>> [r.label for r in sentiment(["Excelente atención, muy rápidos", "Nunca llegó mi pedido"])]
['positive', 'negative']
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from cxpulse.text.language import Language, detect_language
from cxpulse.text.lexicon import EMOJI, Lexicon, lexicon
from cxpulse.text.words import fold, raw_tokens

Label = Literal["positive", "neutral", "negative"]

NEGATION_SCALAR: Final = -0.74
CAPS_INCREMENT: Final = 0.733
EXCLAMATION_INCREMENT: Final = 0.292
NORMALIZATION_ALPHA: Final = 15.0
THRESHOLD: Final = 0.05  # |compound| below this is neutral, as in VADER


# (ending, replacement) tried before the plain plural/gender variants
_SPECIAL_ENDINGS: Final = (
    ("issimos", "o"),
    ("issimas", "o"),
    ("issimo", "o"),
    ("issima", "o"),
    ("isimos", "o"),
    ("isimas", "o"),
    ("isimo", "o"),
    ("isima", "o"),
    ("veis", "vel"),  # confiáveis -> confiável
    ("eis", "il"),  # fáceis -> fácil
    ("ces", "z"),  # felices -> feliz
)


@dataclass(frozen=True)
class SentimentResult:
    """Sentiment of one comment: ``score`` in -1..1, its ``label`` and the ``language`` used."""

    score: float
    label: Label
    language: Language


def _variants(token: str) -> list[str]:
    """Plural, gender and superlative variants of a Spanish or Portuguese word, most specific
    first: "rápidas" -> "rápida", "rápido"; "fáceis" -> "fácil"; "felices" -> "feliz";
    "rapidísimo" -> "rápido"."""
    out = [token]
    for ending, replacement in _SPECIAL_ENDINGS:
        if token.endswith(ending) and len(token) > len(ending) + 2:
            out.append(token[: -len(ending)] + replacement)
    if len(token) > 3:
        if token.endswith("es"):
            out.append(token[:-2])
        if token.endswith("s"):
            out.append(token[:-1])
        stem = token[:-1] if token.endswith("s") else token
        if stem.endswith("a"):
            out.append(stem[:-1] + "o")
        elif stem.endswith("o"):
            out.append(stem[:-1] + "a")
    return out


def _valence(lex: Lexicon, token: str) -> tuple[str, float] | None:
    for candidate in _variants(token) if lex.inflects else [token]:
        if candidate in lex.words or candidate in lex.negated:
            return candidate, lex.words.get(candidate, 0.0)
    return None


def _label(score: float, threshold: float) -> Label:
    if score >= threshold:
        return "positive"
    if score <= -threshold:
        return "negative"
    return "neutral"


def polarity(text: str, language: Language) -> float:
    """The compound sentiment of ``text`` in ``language``, from -1 (negative) to 1 (positive)."""
    lex = lexicon(language)
    raw = raw_tokens(text)
    tokens = [fold(w).replace("’", "'") for w in raw]
    shouting_everywhere = all(w.isupper() for w in raw if len(w) > 1)
    valences: list[float] = []
    contrast_at = -1
    spent: set[int] = set()  # positions of negations already applied
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in lex.contrast:
            contrast_at = len(valences)
        term: str | None = None
        span = 1
        valence = 0.0
        for size in range(min(lex.longest_phrase, len(tokens) - i), 1, -1):
            phrase = tuple(tokens[i : i + size])
            if phrase in lex.phrases:
                term, span, valence = " ".join(phrase), size, lex.phrases[phrase]
                break
        if term is None and token not in lex.negators and token not in lex.boosters:
            found = _valence(lex, token)
            if found is not None:
                term, valence = found
        if term is not None:
            before = tokens[max(0, i - 3) : i]
            sign = 1.0 if valence >= 0 else -1.0
            for distance, word in enumerate(reversed(before)):
                boost = lex.boosters.get(word)
                if boost is not None and valence != 0:
                    valence += sign * boost * (1.0, 0.95, 0.9)[distance]
            if valence != 0 and raw[i].isupper() and len(raw[i]) > 1 and not shouting_everywhere:
                valence += sign * CAPS_INCREMENT
            # A negation applies to the first opinion word after it only, so "does not
            # understand our problem" stays negative (VADER would flip "problem" too).
            negations = [
                k for k in range(max(0, i - 3), i) if tokens[k] in lex.negators and k not in spent
            ]
            single = len(term.split()) == 1
            if negations and single and (valence != 0 or term in lex.negated):
                valence = lex.negated.get(term, valence * NEGATION_SCALAR)
                spent.update(negations)
            if valence < 0 and any(word in lex.resolvers for word in before):
                valence = 0.0  # the problem that was solved
            if valence != 0:
                valences.append(valence)
        i += span
    for symbol, value in EMOJI.items():
        valences.extend([value] * min(text.count(symbol), 3))
    if contrast_at >= 0:
        valences = [v * (0.5 if k < contrast_at else 1.5) for k, v in enumerate(valences)]
    total = sum(valences)
    if total != 0:
        total += math.copysign(min(text.count("!"), 4) * EXCLAMATION_INCREMENT, total)
    return max(-1.0, min(1.0, total / math.sqrt(total * total + NORMALIZATION_ALPHA)))


def sentiment(
    texts: Iterable[str] | str,
    language: Language | Sequence[Language | None] | None = None,
    *,
    threshold: float = THRESHOLD,
) -> list[SentimentResult]:
    """Sentiment of each text, with the language detected per text unless ``language`` is given.

    ``language`` is one code for all texts, or one code (or None: detect) per text.

    >>> sentiment("The support team was great")[0].label
    'positive'
    >>> sentiment(["Não recebi o produto"], language="pt")[0].score < 0
    True
    """
    items = [texts] if isinstance(texts, str) else list(texts)
    if language is None or isinstance(language, str):
        languages: list[Language | None] = [language] * len(items)
    else:
        languages = list(language)
        if len(languages) != len(items):
            from cxpulse.text.lexicon import LexiconError

            raise LexiconError(
                f"sentiment() got {len(items)} texts but {len(languages)} languages; "
                "pass one language for all texts or one per text."
            )
    out = []
    for text, lang in zip(items, languages, strict=True):
        chosen: Language = lang or detect_language(text or "")
        score = polarity(text or "", chosen)
        out.append(SentimentResult(round(score, 4), _label(score, threshold), chosen))
    return out
