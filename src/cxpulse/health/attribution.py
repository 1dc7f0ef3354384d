"""Exact baseline-Shapley points against one reference account.

A learned health score is ``F(x) = 100 * calibration(f(x))`` with ``f`` the model's raw
log-odds. An explanation states, per signal, how many points it moves the score away from a
concrete reference account ``r`` (every signal at its typical training value). The points are
baseline Shapley values of the game ``v(S) = F(x on S, r elsewhere)``: they add up exactly to
``F(x) - F(r)``, a signal equal to the reference gets 0, and "set this signal to its reference
value and re-score" is the matching counterfactual.

Two exact pieces make that cheap:

- :func:`tree_shap_vs_reference`: interventional TreeSHAP with a one-row background, computed
  for every account at once from the trees' leaves (Lundberg et al., "From local explanations
  to global understanding with explainable AI for trees", 2020: a leaf reached by the hybrid
  point only when the signals in ``A`` come from ``x`` and those in ``B`` from ``r`` gives
  ``v (|A|-1)! |B|! / (|A|+|B|)!`` to each signal of ``A`` and minus ``v |A|! (|B|-1)! /
  (|A|+|B|)!`` to each of ``B``). The shares add up to ``f(x) - f(r)``.
- :func:`shapley_of_sum`: the exact Shapley values of ``g(base + sum of shares in S)`` for a
  one-dimensional ``g`` (the calibration on the 0-100 scale), by enumerating the subsets of at
  most ``MAX_EXACT`` players; beyond that the smallest shares are pooled into one player and
  its value is split among them in proportion to their shares. For a linear (logistic) model
  this is the exact baseline Shapley value of the whole pipeline; for trees it carries the
  exact tree shares through the calibration.

>>> import numpy as np
>>> g = lambda z: 100 / (1 + np.exp(-z))
>>> pts = shapley_of_sum(np.array([[1.0, 2.0]]), 0.0, g)
>>> round(float(pts.sum()), 6) == round(float(g(3.0) - g(0.0)), 6)
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from math import factorial
from typing import Any

import numpy as np

MAX_EXACT = 11  # 2**11 subsets per account: exact, and fast enough for every account
CHUNK_CELLS = 4_000_000  # accounts x subsets evaluated at once (memory bound)


def feature_groups(names: Sequence[str], groups: dict[str, Sequence[str]] | None = None) -> dict:
    """Signal -> its feature columns: a categorical's levels (``signal=level``) form one signal.

    ``groups`` (a fitted model's ``feature_groups_``) wins; otherwise columns named
    ``<signal>=<level>`` are grouped by the part before ``=``.
    """
    out: dict[str, list[str]] = {}
    if groups:
        seen = set()
        for signal, cols in groups.items():
            kept = [str(c) for c in cols if str(c) in names]
            if kept:
                out[str(signal)] = kept
                seen.update(kept)
        for n in names:
            if n not in seen:
                out[str(n)] = [str(n)]
        return out
    for n in names:
        key = str(n).split("=", 1)[0] if "=" in str(n) else str(n)
        out.setdefault(key, []).append(str(n))
    return out


def _leaves(node: dict[str, Any], path: tuple) -> list[tuple[float, tuple]]:
    if "leaf_value" in node:
        return [(float(node["leaf_value"]), path)]
    if node.get("decision_type", "<=") != "<=":
        raise ValueError("categorical tree splits are not supported; signals are numeric")
    cond = (
        int(node["split_feature"]),
        float(node["threshold"]),
        bool(node["default_left"]),
        str(node.get("missing_type", "None")),
    )
    return _leaves(node["left_child"], (*path, (*cond, True))) + _leaves(
        node["right_child"], (*path, (*cond, False))
    )


def _goes_left(values: np.ndarray, threshold: float, default_left: bool, missing: str) -> Any:
    """LightGBM's numeric decision (``<=``) with its missing-value rules."""
    nan = np.isnan(values)
    if missing == "NaN":
        return np.where(nan, default_left, values <= threshold)
    filled = np.where(nan, 0.0, values)
    if missing == "Zero":
        return np.where(filled == 0.0, default_left, filled <= threshold)
    return filled <= threshold


def tree_shap_vs_reference(
    booster: Any, X: np.ndarray, reference: np.ndarray, player_of: Sequence[int], n_players: int
) -> np.ndarray:
    """Each player's exact share of ``f(x) - f(reference)`` for a LightGBM booster.

    ``player_of[j]`` is the player (signal) of feature column ``j``; the columns of one
    categorical signal form one player, so its levels are one reason.
    """
    X = np.asarray(X, dtype="float64")
    ref = np.asarray(reference, dtype="float64")
    n = X.shape[0]
    phi = np.zeros((n, n_players))
    dump = booster.dump_model()
    fact = [float(factorial(k)) for k in range(n_players + 2)]
    for tree in dump["tree_info"]:
        for value, path in _leaves(tree["tree_structure"], ()):
            if value == 0.0:
                continue
            x_ok: dict[int, np.ndarray] = {}
            r_ok: dict[int, bool] = {}
            for feat, thr, dleft, miss, left in path:
                p = int(player_of[feat])
                gx = _goes_left(X[:, feat], thr, dleft, miss) == left
                gr = bool(_goes_left(ref[feat : feat + 1], thr, dleft, miss)[0] == left)
                x_ok[p] = gx if p not in x_ok else x_ok[p] & gx
                r_ok[p] = gr if p not in r_ok else r_ok[p] and gr
            need_x = [p for p in x_ok if not r_ok[p]]  # set A: must come from x
            free = [p for p in x_ok if r_ok[p]]
            reach = np.ones(n, dtype=bool)
            for p in need_x:
                reach &= x_ok[p]
            if not reach.any():
                continue
            a = len(need_x)
            in_b = np.column_stack([~x_ok[p] for p in free]) if free else np.zeros((n, 0), bool)
            b = in_b.sum(axis=1)
            total = a + b
            if a:
                w_a = np.array([fact[a - 1] * fact[k] / fact[a + k] for k in range(len(free) + 1)])
                share = np.where(reach, value * w_a[b], 0.0)
                for p in need_x:
                    phi[:, p] += share
            if free:
                w_b = np.array(
                    [0.0] + [fact[a] * fact[k - 1] / fact[a + k] for k in range(1, len(free) + 1)]
                )
                share = np.where(reach & (total > 0), value * w_b[b], 0.0)
                for j, p in enumerate(free):
                    phi[:, p] -= np.where(in_b[:, j], share, 0.0)
    return phi


def _subset_weights(k: int) -> tuple[np.ndarray, np.ndarray]:
    """All subsets of ``k`` players (as 0/1 rows) and the matrix turning g(subset) into Shapley.

    phi_i = sum over S not containing i of |S|! (k-|S|-1)! / k! * (g(S + i) - g(S)).
    """
    masks = np.array([[(s >> i) & 1 for i in range(k)] for s in range(1 << k)], dtype="float64")
    size = masks.sum(axis=1).astype(int)
    fk = factorial(k)
    w_in = np.array([factorial(s - 1) * factorial(k - s) / fk if s else 0.0 for s in size])
    w_out = np.array([factorial(s) * factorial(k - s - 1) / fk if s < k else 0.0 for s in size])
    weights = masks * w_in[:, None] - (1.0 - masks) * w_out[:, None]
    return masks, weights


def shapley_of_sum(
    shares: np.ndarray, base: float, g: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Exact Shapley values of ``v(S) = g(base + sum_{i in S} shares_i)`` per row.

    They add up to ``g(base + sum(shares)) - g(base)``. Players with a zero share get 0.
    """
    shares = np.asarray(shares, dtype="float64")
    n, d = shares.shape
    out = np.zeros((n, d))
    if n == 0 or d == 0:
        return out
    k = min(d, MAX_EXACT)
    pooled = d > k
    # per row, the k - 1 biggest shares are players of their own, the rest one pooled player
    order = np.argsort(-np.abs(shares), axis=1, kind="stable")
    own = order[:, : k - 1] if pooled else order
    rows = np.arange(n)[:, None]
    players = shares[rows, own]
    if pooled:
        rest = shares.copy()
        rest[rows, own] = 0.0
        players = np.column_stack([players, rest.sum(axis=1)])
    masks, weights = _subset_weights(players.shape[1])
    step = max(1, CHUNK_CELLS // len(masks))
    values = np.empty_like(players)
    for start in range(0, n, step):
        part = players[start : start + step]
        g_sub = np.asarray(g(base + part @ masks.T), dtype="float64")
        values[start : start + step] = g_sub @ weights
    if pooled:
        # the pooled player's value, split in proportion to the shares pooled in it
        total = players[:, -1]
        ratio = np.divide(values[:, -1], total, out=np.zeros(n), where=np.abs(total) > 1e-12)
        out = rest * ratio[:, None]
    out[rows, own] = values[:, : own.shape[1]]
    return out
