"""Theme names a reader sees: nouns in the reader's language, never function words, verbs,
an empty name or a catalogue name next to a word of another language; on the demo phrase bank
and on the real Olist reviews."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import simplemma
import stopwordsiso

from cxpulse.datasets.phrases import comment_labels
from cxpulse.text import find_themes
from cxpulse.text.catalog import BY_KEY, CATALOG, theme_name
from cxpulse.text.insights import theme_names
from cxpulse.text.keywords import naming_words


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Independent of the product's filter: the stopwords-iso lists read directly.
STOP = frozenset(_fold(w) for lang in ("es", "en", "pt") for w in stopwordsiso.stopwords(lang))
NAMES = {lang: {theme_name(t.key, lang) for t in CATALOG} for lang in ("es", "en")}


def _check_name(name: str, reader: str, comments_lang: str) -> None:
    assert name.strip() and name.strip() != "—", name
    parts = [p.strip().rsplit(" (", 1)[0] for p in name.split("·")]
    named = [p in NAMES[reader] or p == theme_name("other", reader) for p in parts]
    # Either all catalogue names in the reader's language, or all words of the comments.
    assert all(named) or not any(named), name
    if all(named):
        return
    for word in " ".join(parts).split():
        w = word.lower()
        lemma = str(simplemma.lemmatize(w, lang=comments_lang)).lower()
        assert _fold(w) not in STOP and _fold(lemma) not in STOP, (name, word)
        if comments_lang != "en" and lemma != w:
            # An inflected verb lemmatizes to an infinitive; a noun plural keeps its stem.
            infinitive = _fold(lemma).endswith(("ar", "er", "ir"))
            plural = _fold(w) in (_fold(lemma) + "s", _fold(lemma) + "es")
            assert not infinitive or plural, (name, word, lemma)


def _summary(model: object) -> pd.DataFrame:
    themes = model.themes  # type: ignore[attr-defined]
    return pd.DataFrame(
        {
            "theme_id": [t.id for t in themes],
            "label": [t.label for t in themes],
            "key": [t.key for t in themes],
            "words": [", ".join(t.words) for t in themes],
            "size": [t.size for t in themes],
        }
    )


def test_naming_words_drop_verbs_function_words_and_praise() -> None:
    assert [w for _, w in naming_words("Nunca tuvimos un problema con los cobros", "es")] == [
        "problema",
        "cobro",
    ]
    kept = [w for _, w in naming_words("Comprei, gostei e recebi o produto, bom", "pt")]
    assert kept == ["produto"]
    # "takes" goes with its lemma "take" (a stop-word), "lost" is a past form.
    english = naming_words("Everything takes forever, we lost the invoices", "en")
    assert [w for _, w in english] == ["invoice"]
    # Noun plurals stay, in the singular; gerunds stay as written.
    assert [w for _, w in naming_words("Los menús y las facturas", "es")] == ["menú", "factura"]
    assert [w for _, w in naming_words("shipping", "en")] == ["shipping"]


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
@pytest.mark.parametrize("reader", ["es", "en"])
def test_phrase_bank_theme_names_are_meaningful_in_the_readers_language(
    lang: str, reader: str
) -> None:
    bank = [(text, theme) for text, language, theme, _ in comment_labels() if language == lang]
    model = find_themes([t for t, _ in bank], lang=reader, seed=0)
    names = theme_names(_summary(model), reader)
    assert len(names) == model.k
    for theme in model.themes:
        _check_name(theme.label, reader, lang)
        _check_name(names[theme.id], reader, lang)
    # Purity against the bank's known topics, computed here: comments whose theme's majority
    # topic is their own (0.78 to 0.90 measured; see benchmarks/README.md).
    labels = model.labels_.tolist()
    majority = {
        tid: Counter(
            th for (_, th), lab in zip(bank, labels, strict=True) if lab == tid
        ).most_common(1)[0][0]
        for tid in set(labels)
    }
    purity = sum(majority[lab] == th for (_, th), lab in zip(bank, labels, strict=True))
    assert purity / len(bank) >= 0.75


def test_a_repeated_catalogue_theme_is_numbered_not_given_a_foreign_word() -> None:
    bank = [text for text, language, *_ in comment_labels() if language == "es"]
    model = find_themes(bank, lang="en", seed=0, k=10)
    keys = Counter(t.key for t in model.themes if t.key)
    repeated = [key for key, n in keys.items() if n > 1]
    assert repeated, "the bank at k=10 has a catalogue theme in two clusters"
    for key in repeated:
        labels = [t.label for t in model.themes if t.key == key]
        base = theme_name(key, "en")
        assert labels == [base] + [f"{base} ({i})" for i in range(2, len(labels) + 1)]


def test_a_theme_without_any_naming_word_is_other_comments_in_each_language() -> None:
    summary = pd.DataFrame(
        {"theme_id": [0, 1], "label": ["—", "Lima"], "key": [None, None], "words": ["", "lima"]}
    ).assign(size=[3, 2])
    assert theme_names(summary, "es") == {0: "Otros comentarios", 1: "Lima"}
    assert theme_names(summary, "en")[0] == "Other comments"


def _keyword_share(texts: list[str], key: str) -> float:
    """Share of ``texts`` with a word starting with one of the theme's keywords (whole word for
    keywords of four letters or fewer), computed with a regular expression."""
    patterns = [
        rf"\b{re.escape(kw)}\b" if len(kw) <= 4 else rf"\b{re.escape(kw)}"
        for kw in BY_KEY[key].keywords
    ]
    regex = re.compile("|".join(patterns))
    return sum(bool(regex.search(_fold(t))) for t in texts) / len(texts)


def test_olist_theme_names_are_spanish_catalogue_names_or_clean_words(
    shared_data: Path,
) -> None:
    reviews = pd.read_csv(shared_data / "olist" / "olist_order_reviews_dataset.csv")
    texts = [t for t in reviews["review_comment_message"].dropna().astype(str) if t.strip()]
    assert len(texts) > 1000
    model = find_themes(texts, lang="es", seed=0)
    names = theme_names(_summary(model), "es")
    assert sum(1 for t in model.themes if t.key) >= model.k - 1
    for theme in model.themes:
        _check_name(names[theme.id], "es", "pt")
        members = [t for t, lab in zip(texts, model.labels_, strict=True) if lab == theme.id]
        if theme.key and "+" not in theme.key:
            # A single catalogue name: at least 30 % of its comments use the theme's words.
            assert _keyword_share(members, theme.key) >= 0.3, (theme.key, names[theme.id])
        elif theme.key:
            a, b = theme.key.split("+")
            share = sum(
                _keyword_share([m], a) > 0 or _keyword_share([m], b) > 0 for m in members
            ) / len(members)
            assert share >= 0.2, theme.key
    english = theme_names(_summary(model), "en")
    for theme in model.themes:
        _check_name(english[theme.id], "en", "pt")
