"""Categorical signals for learned models: the levels kept in training and their one-hot
columns, named ``<signal>=<level>``.

Levels are compared trimmed and case-folded. A level seen in training fewer than
``min_count`` times or in less than ``min_share`` of the rows is grouped into ``other``; at
scoring time a level never seen in training goes to ``other`` too and is reported
(:meth:`CategoryLevels.unseen`). A missing level sets no column at all.

>>> import pandas as pd
>>> lv = CategoryLevels.learn("plan", pd.Series(["Annual"] * 12 + ["monthly "] * 11 + ["x"]))
>>> lv.levels, lv.columns
(('annual', 'monthly'), ('plan=annual', 'plan=monthly', 'plan=other'))
>>> lv.encode(pd.Series(["ANNUAL", "weekly", None])).to_numpy().tolist()
[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
>>> lv.unseen(pd.Series(["weekly", "weekly", "x"]))
{'weekly': 2}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxpulse.health.config import LEVEL_OTHER, normalise_level


def normalised(values: pd.Series) -> pd.Series:
    """Levels trimmed and case-folded; missing (and empty) stay missing (None)."""
    present = values.notna().to_numpy()
    raw = values.to_numpy(dtype=object)
    out = np.array(
        [normalise_level(v) if ok else None for v, ok in zip(raw, present, strict=True)],
        dtype=object,
    )
    out[out == ""] = None
    return pd.Series(out, index=values.index, dtype=object)


def is_categorical(values: pd.Series) -> bool:
    """Whether a feature column holds text levels (object, string or category dtype)."""
    return bool(
        pd.api.types.is_object_dtype(values)
        or pd.api.types.is_string_dtype(values)
        or isinstance(values.dtype, pd.CategoricalDtype)
    )


@dataclass(frozen=True)
class CategoryLevels:
    """The levels of one categorical signal learned from the training rows."""

    signal: str
    levels: tuple[str, ...]  # kept levels, most frequent first
    rare: tuple[str, ...] = ()  # seen in training but grouped into "other"
    counts: tuple[int, ...] = ()  # training rows per kept level

    @classmethod
    def learn(
        cls, signal: str, values: pd.Series, *, min_count: int = 10, min_share: float = 0.005
    ) -> CategoryLevels:
        """Keep the levels seen at least ``min_count`` times and in ``min_share`` of rows."""
        levels = normalised(values).dropna()
        freq = levels.value_counts()
        freq = freq.sort_index().sort_values(ascending=False, kind="stable")
        n = max(len(values), 1)
        keep = freq[(freq >= min_count) & (freq / n >= min_share) & (freq.index != LEVEL_OTHER)]
        rare = sorted(set(freq.index) - set(keep.index))
        return cls(
            signal,
            tuple(str(k) for k in keep.index),
            tuple(str(r) for r in rare),
            tuple(int(c) for c in keep.to_numpy()),
        )

    @property
    def columns(self) -> tuple[str, ...]:
        """The one-hot column names: ``<signal>=<level>`` for each kept level, then ``other``."""
        return tuple(f"{self.signal}={lv}" for lv in (*self.levels, LEVEL_OTHER))

    def encode(self, values: pd.Series) -> pd.DataFrame:
        """One 0/1 column per kept level plus ``other``; a missing value sets none."""
        text = normalised(values)
        known = text.where(text.isin(self.levels) | text.isna(), LEVEL_OTHER)
        data = {
            col: (known == lv).astype("float64").to_numpy()
            for col, lv in zip(self.columns, (*self.levels, LEVEL_OTHER), strict=True)
        }
        return pd.DataFrame(data, index=values.index)

    def unseen_mask(self, values: pd.Series) -> np.ndarray:
        """Per row, whether its level was never seen in training (it is scored as ``other``)."""
        text = normalised(values)
        new = text.notna() & ~text.isin(self.levels) & ~text.isin(self.rare)
        return np.asarray(new & (text != LEVEL_OTHER), dtype=bool)

    def unseen(self, values: pd.Series) -> dict[str, int]:
        """Levels never seen in training (scored as ``other``), with their row counts."""
        return level_counts(values, self.unseen_mask(values))


def level_counts(values: pd.Series, mask: np.ndarray) -> dict[str, int]:
    """The normalised levels of the rows in ``mask``, with their row counts, sorted."""
    counts = normalised(values)[np.asarray(mask, dtype=bool)].value_counts().sort_index()
    return {str(k): int(v) for k, v in counts.items()}


def learn_levels(
    frame: pd.DataFrame, thresholds: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, CategoryLevels]:
    """The levels of every categorical column of ``frame`` (thresholds per signal name)."""
    out = {}
    for name in frame.columns:
        if not is_categorical(frame[name]):
            continue
        own = dict((thresholds or {}).get(str(name), {}))
        out[str(name)] = CategoryLevels.learn(
            str(name),
            frame[name],
            min_count=int(own.get("min_count", 10)),
            min_share=float(own.get("min_share", 0.005)),
        )
    return out
