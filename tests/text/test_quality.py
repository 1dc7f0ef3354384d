"""Sentiment quality on the Portuguese Olist reviews stays above the floor we measured.

Measured with benchmarks/text_quality.py (see benchmarks/README.md): on all 2,562 comments
Spearman 0.697, accuracy 0.873 and macro-F1 0.849 (negative 1-2 vs positive 4-5 stars); on the
held-out half (never looked at while writing the lexicon) 0.688 / 0.885 / 0.861. The floors
below leave a small margin under those figures; LeIA as shipped scores 0.560 / 0.746 / 0.722.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import accuracy_score, f1_score

from cxpulse.text import sentiment


def test_sentiment_tracks_olist_review_scores(shared_data: Path) -> None:
    path = shared_data / "olist" / "olist_order_reviews_dataset.csv"
    with path.open(encoding="utf-8", newline="") as fh:  # comments span lines: real CSV parser
        rows = [r for r in csv.DictReader(fh) if r["review_comment_message"].strip()]
    assert len(rows) > 2000
    stars = np.array([int(r["review_score"]) for r in rows])
    scores = np.array(
        [x.score for x in sentiment([r["review_comment_message"] for r in rows], language="pt")]
    )
    assert spearmanr(scores, stars).statistic >= 0.66
    polar = stars != 3
    truth, predicted = stars[polar] >= 4, scores[polar] > 0
    assert accuracy_score(truth, predicted) >= 0.85
    assert f1_score(truth, predicted, average="macro") >= 0.82
    means = [scores[stars == k].mean() for k in range(1, 6)]
    assert all(a < b for a, b in itertools.pairwise(means)), means
    assert means[0] < -0.3 and means[4] > 0.5


def _phrase_bank() -> list[tuple[str, str, str, str]]:
    from cxpulse.datasets import phrases as ph

    rows = []
    for li, lang in enumerate(ph.LANGUAGES):
        for ti, theme in enumerate(ph.THEMES):
            for si, polarity in enumerate(ph.SENTIMENTS):
                for v in range(ph.VARIANTS):
                    at = int(ph.comment_index(*(np.array(x) for x in (li, ti, si, v))))
                    rows.append((lang, theme, polarity, ph.COMMENTS[at]))
    return rows


def test_sentiment_on_the_demo_phrase_bank_in_three_languages() -> None:
    """The demo generator's comments (written for the demo, with a known polarity).

    At first sight the negative-vs-positive accuracy was 0.905 (es), 0.881 (en), 0.881 (pt);
    after fixing the general gaps it showed (negation scope, superlatives, "solved my
    problem", service nouns rated as opinions) it is 0.976 / 1.000 / 1.000.
    """
    rows = _phrase_bank()
    results = sentiment([r[3] for r in rows], language=[r[0] for r in rows])  # type: ignore[misc]
    for lang in ("es", "en", "pt"):
        pairs = [(r, x) for r, x in zip(rows, results, strict=True) if r[0] == lang]
        polar = [(r, x) for r, x in pairs if r[2] != "neutral"]
        hits = [(r[2] == "positive") == (x.score > 0) for r, x in polar]
        assert np.mean(hits) >= 0.9, lang
        means = {
            p: np.mean([x.score for r, x in pairs if r[2] == p])
            for p in ("negative", "neutral", "positive")
        }
        assert means["negative"] < means["neutral"] < means["positive"], (lang, means)


def test_themes_on_the_demo_phrase_bank_follow_the_true_themes() -> None:
    from sklearn.metrics import adjusted_rand_score

    from cxpulse.text import find_themes

    rows = _phrase_bank()
    truth = [r[1] for r in rows]
    model = find_themes([r[3] for r in rows], k=7, seed=0)
    plain = find_themes([r[3] for r in rows], k=7, seed=0, keyword_weight=0)
    # Measured 0.80 with catalogue keywords and 0.46 on embeddings alone, which also group
    # comments by polarity; a random partition scores 0.
    assert adjusted_rand_score(truth, model.labels_) >= 0.7
    assert adjusted_rand_score(truth, plain.labels_) >= 0.4
