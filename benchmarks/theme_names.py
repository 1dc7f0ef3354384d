"""Theme names as a reader sees them, on the demo phrase bank (es, en, pt) and on the Olist
reviews: how many themes are named from the catalogue, how many carry a name made only of
function words (a junk theme such as "never · vale · tuvimos"), and how many repeat a
catalogue name (shown numbered, "Soporte (2)", never with a word of another language).

Run:  .venv/bin/python benchmarks/theme_names.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd

from cxpulse.datasets.phrases import comment_labels
from cxpulse.text.insights import theme_names
from cxpulse.text.themes import find_themes
from cxpulse.text.words import STOPWORDS, fold

FUNCTION_WORDS = frozenset().union(*STOPWORDS.values())
HEADERS = (
    "corpus",
    "comments",
    "themes",
    "catalogue-named",
    "function-word names",
    "numbered repeats",
    "names (es)",
)


def report(name: str, texts: list[str], lang: str) -> str:
    model = find_themes(texts, lang=lang, seed=0)
    summary = pd.DataFrame(
        {
            "theme_id": [t.id for t in model.themes],
            "label": [t.label for t in model.themes],
            "key": [t.key for t in model.themes],
            "size": [t.size for t in model.themes],
        }
    )
    names = theme_names(summary, lang)
    keyed = sum(1 for t in model.themes if t.key)
    junk = sum(
        1 for t in model.themes if not t.key and all(fold(w) in FUNCTION_WORDS for w in t.words)
    )
    repeated = sum(1 for n in names.values() if n.endswith(")"))
    shown = "; ".join(names[t.id] for t in sorted(model.themes, key=lambda t: -t.size))
    return f"| {name} | {len(texts)} | {model.k} | {keyed} | {junk} | {repeated} | {shown} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="../shared/data")
    args = parser.parse_args()
    rows = [
        "| " + " | ".join(HEADERS) + " |",
        "|---|---|---|---|---|---|---|",
    ]
    labels = comment_labels()
    for lang in ("es", "en", "pt"):
        texts = [text for text, language, *_ in labels if language == lang]
        rows.append(report(f"phrase bank ({lang})", texts, "es"))
    from text_quality import read_reviews

    reviews = [r["review_comment_message"] for r in read_reviews(Path(args.data))]
    rows.append(report("Olist reviews (pt)", [t for t in reviews if t.strip()], "es"))
    print("\n".join(rows))


if __name__ == "__main__":
    main()
