"""The /health histogram: bins split at the band cut-offs, coloured by their accounts' band."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxpulse.web.health_summary import HealthSummary


def _summary(scores: np.ndarray, red_below: float, green_from: float) -> HealthSummary:
    bands = np.where(scores < red_below, "red", np.where(scores >= green_from, "green", "yellow"))
    frame = pd.DataFrame({"account_id": [f"A{i}" for i in range(len(scores))], "score": scores,
                          "band": bands})  # fmt: skip
    return HealthSummary("lightgbm", None, None, frame, red_below=red_below, green_from=green_from)


def test_no_bin_straddles_a_learned_models_cut_offs() -> None:
    rng = np.random.default_rng(0)
    scores = np.round(rng.uniform(60, 100, 2000), 2)
    summary = _summary(scores, 83.72, 91.2)
    bins = summary.histogram()
    for b in bins:
        inside = scores[(scores >= b["start"]) & ((scores < b["end"]) | (b["end"] == 100))]
        # every account in the bin has the bin's band, and the counts are complete
        assert b["count"] == len(inside), b
        assert set(summary.scores.loc[summary.scores["score"].isin(inside), "band"]) <= {b["band"]}
    edges = {b["start"] for b in bins} | {b["end"] for b in bins}
    assert {83.72, 91.2, 80, 90} <= edges
    assert sum(b["count"] for b in bins) == len(scores)
    # independently: accounts per band equal the stored bands' counts
    per_band = pd.DataFrame(bins).groupby("band")["count"].sum()
    assert per_band.to_dict() == summary.scores["band"].value_counts().to_dict()


def test_a_bin_with_two_stored_bands_shows_both() -> None:
    frame = pd.DataFrame({"account_id": ["a", "b", "c"], "score": [55.0, 56.0, 57.0],
                          "band": ["red", "yellow", "yellow"]})  # fmt: skip
    summary = HealthSummary("expert", None, None, frame, red_below=40, green_from=70)
    at_50 = [b for b in summary.histogram() if b["start"] == 50]
    assert sorted((b["band"], b["count"]) for b in at_50) == [("red", 1), ("yellow", 2)]
