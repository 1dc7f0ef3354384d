"""Scoring-rule and ranking metrics for health models, in plain numpy.

``y`` is 1 for the good outcome and ``p`` is P(good). Ranking metrics are stated for the
bad outcome (the rare class a CS team hunts): PR AUC is the average precision of P(bad) for
bad outcomes, lift compares the bad-outcome rate of the riskiest decile with the overall one.

>>> import numpy as np
>>> roc_auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
0.75
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from cxpulse.errors import NotEnoughDataError


def _check(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype="int64")
    p = np.asarray(p, dtype="float64")
    if y.shape != p.shape:
        raise ValueError(f"labels and probabilities differ in length: {y.shape} vs {p.shape}")
    if len(np.unique(y)) < 2:
        raise NotEnoughDataError(key="health.error.ranking_one_class")
    return y, p


def roc_auc(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney U with average ranks for ties)."""
    y, p = _check(y, p)
    ranks = rankdata(p)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    u = ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def average_precision(y_bad: np.ndarray, risk: np.ndarray) -> float:
    """Average precision of ``risk`` for the positives of ``y_bad`` (ties form one step)."""
    y, s = _check(y_bad, risk)
    order = np.argsort(-s, kind="mergesort")
    y, s = y[order], s[order]
    last_of_tie = np.r_[np.diff(s) != 0, True]
    tp = np.cumsum(y)[last_of_tie]
    seen = (np.arange(1, len(y) + 1))[last_of_tie]
    precision = tp / seen
    recall = tp / y.sum()
    steps = np.diff(np.r_[0.0, recall])
    return float((steps * precision).sum())


def brier(y: np.ndarray, p: np.ndarray) -> float:
    """Mean squared difference between P(good) and the outcome (lower is better)."""
    y = np.asarray(y, dtype="float64")
    return float(np.mean((np.asarray(p, dtype="float64") - y) ** 2))


@dataclass(frozen=True)
class CalibrationBin:
    """One bin of predicted P(good): how many, mean predicted, observed good rate."""

    low: float
    high: float
    n: int
    mean_predicted: float
    observed: float


def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[CalibrationBin]:
    """Equal-count bins of P(good) with the observed good rate in each."""
    y = np.asarray(y, dtype="float64")
    p = np.asarray(p, dtype="float64")
    order = np.argsort(p, kind="mergesort")
    out = []
    for chunk in np.array_split(order, min(bins, len(p))):
        if len(chunk) == 0:
            continue
        out.append(
            CalibrationBin(
                low=float(p[chunk].min()),
                high=float(p[chunk].max()),
                n=len(chunk),
                mean_predicted=float(p[chunk].mean()),
                observed=float(y[chunk].mean()),
            )
        )
    return out


def top_decile(y: np.ndarray, p: np.ndarray, share: float = 0.1) -> tuple[float, float]:
    """(bad-outcome rate among the ``share`` lowest P(good), lift over the overall bad rate)."""
    y = np.asarray(y, dtype="float64")
    p = np.asarray(p, dtype="float64")
    k = max(round(len(p) * share), 1)
    riskiest = np.argsort(p, kind="mergesort")[:k]
    rate = float(1.0 - y[riskiest].mean())
    overall = float(1.0 - y.mean())
    return rate, (rate / overall if overall > 0 else float("nan"))
