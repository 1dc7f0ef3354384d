"""Theme names as a reader sees them, on the demo phrase bank (es, en, pt) and on the Olist
reviews, with measures of their quality:

- junk names: empty or "—", or holding a function word (stopwords-iso list of es/en/pt, the
  word or its lemma) or an inflected verb (its simplemma lemma an infinitive, "tuvimos" ->
  "tener"), or mixing a catalogue name with a word of the comments ("Soporte · service");
- catalogue-named: themes named from the catalogue (in the reader's language);
- purity (phrase bank only): share of comments whose theme's majority true topic is their own;
- name agreement (phrase bank only): share of comments in a catalogue-named theme whose true
  topic is (one of) the theme's catalogue key(s).

The checks use stopwordsiso and simplemma directly, not the product's word filter, so they
also measure code from before that filter existed.

Run:  .venv/bin/python benchmarks/theme_names.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd
import simplemma
import stopwordsiso

from cxpulse.datasets.phrases import comment_labels
from cxpulse.text.catalog import CATALOG, theme_name
from cxpulse.text.insights import theme_names
from cxpulse.text.themes import find_themes

HEADERS = (
    "corpus",
    "comments",
    "themes",
    "catalogue-named",
    "junk names",
    "purity",
    "name agreement",
    "names (es)",
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


STOP = frozenset(_fold(w) for lang in ("es", "en", "pt") for w in stopwordsiso.stopwords(lang))
CATALOGUE_NAMES = frozenset(theme_name(t.key, lang) for t in CATALOG for lang in ("es", "en")) | {
    theme_name("other", "es"),
    theme_name("other", "en"),
}


def is_junk(name: str, lang: str) -> bool:
    """Whether a shown theme name is junk (see the module docstring)."""
    parts = [p.strip() for p in name.split("·")]
    base = parts[0].rsplit(" (", 1)[0]
    if not name.strip() or name.strip() == "—":
        return True
    if all(p.rsplit(" (", 1)[0] in CATALOGUE_NAMES for p in parts):
        return False
    if base in CATALOGUE_NAMES:  # a catalogue name next to a word of the comments
        return True
    for word in " ".join(parts).split():
        w = word.lower()
        lemma = str(simplemma.lemmatize(w, lang=lang)).lower()
        if _fold(w) in STOP or _fold(lemma) in STOP:
            return True
        verb = lang != "en" and lemma != w and _fold(lemma).endswith(("ar", "er", "ir"))
        if verb and _fold(w) not in (_fold(lemma) + "s", _fold(lemma) + "es"):
            return True
    return False


def report(name: str, texts: list[str], lang: str, truth: list[str] | None) -> str:
    model = find_themes(texts, lang="es", seed=0)
    summary = pd.DataFrame(
        {
            "theme_id": [t.id for t in model.themes],
            "label": [t.label for t in model.themes],
            "key": [t.key for t in model.themes],
            "words": [", ".join(t.words) for t in model.themes],
            "size": [t.size for t in model.themes],
        }
    )
    names = theme_names(summary, "es")
    keyed = sum(1 for t in model.themes if t.key)
    junk = sum(1 for n in names.values() if is_junk(n, lang))
    purity = agreement = "—"
    if truth is not None:
        labels = model.labels_.tolist()
        majority = {
            tid: Counter(
                tr for tr, lab in zip(truth, labels, strict=True) if lab == tid
            ).most_common(1)[0][0]
            for tid in set(labels)
        }
        hits = [majority[lab] == tr for tr, lab in zip(truth, labels, strict=True)]
        purity = f"{sum(hits) / len(hits):.2f}"
        keys = {t.id: (t.key or "").split("+") for t in model.themes}
        named = [(tr, lab) for tr, lab in zip(truth, labels, strict=True) if keys[lab] != [""]]
        agree = [tr in keys[lab] for tr, lab in named]
        agreement = f"{sum(agree) / len(agree):.2f}" if agree else "—"
    shown = "; ".join(names[t.id] for t in sorted(model.themes, key=lambda t: -t.size))
    return (
        f"| {name} | {len(texts)} | {model.k} | {keyed} | {junk} of {model.k} | {purity} "
        f"| {agreement} | {shown} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="../shared/data")
    args = parser.parse_args()
    rows = [
        "| " + " | ".join(HEADERS) + " |",
        "|" + "---|" * len(HEADERS),
    ]
    labels = comment_labels()
    for lang in ("es", "en", "pt"):
        bank = [(text, theme) for text, language, theme, _ in labels if language == lang]
        rows.append(
            report(f"phrase bank ({lang})", [t for t, _ in bank], lang, [th for _, th in bank])
        )
    from text_quality import read_reviews

    reviews = [r["review_comment_message"] for r in read_reviews(Path(args.data))]
    rows.append(report("Olist reviews (pt)", [t for t in reviews if t.strip()], "pt", None))
    print("\n".join(rows))


if __name__ == "__main__":
    main()
