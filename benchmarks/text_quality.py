"""Quality of comment sentiment and themes on real Portuguese reviews (Olist) and on the
hand-labelled Spanish and English sets of the test suite.

Olist: ``olist_order_reviews_dataset.csv`` has a 1-5 ``review_score`` and a free-text
``review_comment_message`` (may span lines; read with the csv module). Reviews are split in two
halves by the parity of sha256(review_id): the "dev" half was looked at while writing the
Portuguese customer-experience phrases (src/cxpulse/text/cx_pt.txt); the "test" half was not.
Figures are given for both halves and for the whole set, next to the untouched LeIA analyser
(the package our Portuguese lexicon comes from) as a baseline.

Metrics: Spearman correlation of the sentiment score with the review score; accuracy and
macro-F1 of negative (1-2 stars) vs positive (4-5 stars) with "score > 0" read as positive
(3-star reviews left out); mean sentiment per star.

Run:  .venv/bin/python benchmarks/text_quality.py [--data ../shared/data] [--json]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import accuracy_score, f1_score

from cxpulse.text import detect_languages, find_themes, sentiment

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = ROOT / "tests" / "text" / "data"


def read_reviews(data: Path) -> list[dict[str, str]]:
    path = data / "olist" / "olist_order_reviews_dataset.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["review_comment_message"].strip()]
    for r in rows:
        digest = int(hashlib.sha256(r["review_id"].encode()).hexdigest(), 16)
        r["half"] = "dev" if digest % 2 == 0 else "test"
    return rows


def quality(scores: Sequence[float], stars: Sequence[int]) -> dict[str, Any]:
    s, y = np.asarray(scores, dtype=float), np.asarray(stars, dtype=int)
    polar = y != 3
    truth, predicted = y[polar] >= 4, s[polar] > 0
    return {
        "n": len(s),
        "spearman": float(spearmanr(s, y).statistic),
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1_score(truth, predicted, average="macro")),
        "n_polar": int(polar.sum()),
        "mean_by_star": {int(k): float(s[y == k].mean()) for k in range(1, 6)},
        "n_by_star": {int(k): int((y == k).sum()) for k in range(1, 6)},
        "zero_share": float((s == 0).mean()),
    }


def leia_scores(texts: Sequence[str]) -> list[float]:
    from LeIA import SentimentIntensityAnalyzer

    analyser = SentimentIntensityAnalyzer()
    return [float(analyser.polarity_scores(t)["compound"]) for t in texts]


def olist(data: Path) -> dict[str, Any]:
    rows = read_reviews(data)
    texts = [r["review_comment_message"] for r in rows]
    stars = [int(r["review_score"]) for r in rows]
    halves = {
        name: [i for i, r in enumerate(rows) if r["half"] == name] for name in ("dev", "test")
    }
    halves["all"] = list(range(len(rows)))
    scorers: dict[str, Callable[[], list[float]]] = {
        "cxpulse (language=pt)": lambda: [x.score for x in sentiment(texts, language="pt")],
        "cxpulse (language detected)": lambda: [x.score for x in sentiment(texts)],
        "LeIA as shipped (baseline)": lambda: leia_scores(texts),
    }
    out: dict[str, Any] = {"n_comments": len(rows), "systems": {}}
    for name, scorer in scorers.items():
        started = time.perf_counter()
        scores = scorer()
        elapsed = time.perf_counter() - started
        out["systems"][name] = {
            "seconds": elapsed,
            **{
                half: quality([scores[i] for i in idx], [stars[i] for i in idx])
                for half, idx in halves.items()
            },
        }
    detected = detect_languages(texts, default="pt")
    out["detected_pt_share_default_pt"] = detected.count("pt") / len(texts)
    detected_es = detect_languages(texts)
    out["detected_pt_share_default_es"] = detected_es.count("pt") / len(texts)

    started = time.perf_counter()
    model = find_themes(texts, seed=0, lang="en")
    out["themes"] = {
        "seconds": time.perf_counter() - started,
        "k": model.k,
        "silhouette": model.silhouette_,
        "themes": [
            {"label": t.label, "size": t.size, "words": list(t.words), "example": t.examples[0]}
            for t in model.themes
        ],
    }
    return out


def demo_phrases() -> dict[str, Any]:
    """The phrase bank of the demo generator (cxpulse.datasets.phrases), written for the demo
    by its author: 63 comments per language with a known theme and polarity."""
    from sklearn.metrics import adjusted_rand_score

    from cxpulse.datasets import phrases as ph

    rows = []
    for li, lang in enumerate(ph.LANGUAGES):
        for ti, theme in enumerate(ph.THEMES):
            for si, polarity in enumerate(ph.SENTIMENTS):
                for v in range(ph.VARIANTS):
                    at = int(ph.comment_index(*(np.array(x) for x in (li, ti, si, v))))
                    rows.append((lang, theme, polarity, ph.COMMENTS[at]))
    results = sentiment([r[3] for r in rows], language=[r[0] for r in rows])  # type: ignore[misc]
    out: dict[str, Any] = {"n": len(rows)}
    for lang in ph.LANGUAGES:
        pairs = [(r, x) for r, x in zip(rows, results, strict=True) if r[0] == lang]
        polar = [(r, x) for r, x in pairs if r[2] != "neutral"]
        out[lang] = {
            "accuracy_3_class": float(np.mean([r[2] == x.label for r, x in pairs])),
            "accuracy_polar": float(
                np.mean([(r[2] == "positive") == (x.score > 0) for r, x in polar])
            ),
            "mean_by_polarity": {
                p: float(np.mean([x.score for r, x in pairs if r[2] == p])) for p in ph.SENTIMENTS
            },
        }
    model = find_themes([r[3] for r in rows], k=len(ph.THEMES), seed=0)
    out["themes_ari_k7"] = float(adjusted_rand_score([r[1] for r in rows], model.labels_))
    return out


def hand_labelled() -> dict[str, Any]:
    out = {}
    for lang in ("es", "en"):
        with (TEST_DATA / f"sentiment_{lang}.csv").open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        results = sentiment([r["text"] for r in rows], language=lang)  # type: ignore[arg-type]
        hits = [r["label"] == x.label for r, x in zip(rows, results, strict=True)]
        out[lang] = {"n": len(rows), "accuracy_3_class": float(np.mean(hits))}
    with (TEST_DATA / "languages.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    predicted = detect_languages(r["text"] for r in rows)
    out["language_detection"] = {
        "n": len(rows),
        "accuracy": float(
            np.mean([p == r["language"] for p, r in zip(predicted, rows, strict=True)])
        ),
    }
    return out


def report(results: dict[str, Any]) -> str:
    o = results["olist"]
    lines = [
        f"Olist reviews with a comment: {o['n_comments']}",
        "",
        "| system | half | n | Spearman | accuracy | macro-F1 | mean 1★ | 2★ | 3★ | 4★ | 5★ |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, system in o["systems"].items():
        for half in ("dev", "test", "all"):
            q = system[half]
            means = " | ".join(f"{q['mean_by_star'][k]:+.3f}" for k in range(1, 6))
            lines.append(
                f"| {name} | {half} | {q['n']} | {q['spearman']:.3f} | {q['accuracy']:.3f} | "
                f"{q['macro_f1']:.3f} | {means} |"
            )
    lines += [
        "",
        f"Language detection on Olist: {o['detected_pt_share_default_pt']:.1%} Portuguese "
        f"(default pt), {o['detected_pt_share_default_es']:.1%} (default es: comments with "
        "no clue, such as 'Recomendo' or '10', fall to the default).",
        "",
        f"Themes on all Olist comments: k={o['themes']['k']} (silhouette "
        f"{o['themes']['silhouette']:.3f}) in {o['themes']['seconds']:.1f} s",
    ]
    for t in o["themes"]["themes"]:
        example = " ".join(t["example"].split())[:70]
        lines.append(f"- {t['label']} ({t['size']}): {', '.join(t['words'])} — “{example}”")
    d = results["demo_phrases"]
    lines += [
        "",
        f"Demo phrase bank (cxpulse.datasets.phrases, {d['n']} comments, 7 themes x 3 "
        "polarities x 3 variants per language):",
        "",
        "| language | 3-class accuracy | negative vs positive accuracy | mean neg | neu | pos |",
        "|---|---|---|---|---|---|",
    ]
    for lang in ("es", "en", "pt"):
        q = d[lang]
        m = q["mean_by_polarity"]
        lines.append(
            f"| {lang} | {q['accuracy_3_class']:.3f} | {q['accuracy_polar']:.3f} | "
            f"{m['negative']:+.3f} | {m['neutral']:+.3f} | {m['positive']:+.3f} |"
        )
    lines.append(
        f"\nThemes with k=7 vs the true theme: adjusted Rand index {d['themes_ari_k7']:.3f}"
    )
    h = results["hand_labelled"]
    lines += [
        "",
        "Hand-labelled sets (tests/text/data): es 3-class accuracy "
        f"{h['es']['accuracy_3_class']:.3f} "
        f"(n={h['es']['n']}), en {h['en']['accuracy_3_class']:.3f} (n={h['en']['n']}); "
        f"language detection {h['language_detection']['accuracy']:.3f} "
        f"(n={h['language_detection']['n']}).",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args(argv)
    results = {
        "olist": olist(args.data),
        "demo_phrases": demo_phrases(),
        "hand_labelled": hand_labelled(),
    }
    print(json.dumps(results, indent=2, ensure_ascii=False) if args.json else report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
