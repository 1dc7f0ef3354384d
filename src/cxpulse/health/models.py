"""Health models with the scikit-learn contract: ``__init__`` stores parameters, ``fit``
returns ``self``, learned attributes end in ``_``. Both predict P(good outcome); the score is
100 x that probability.

- :class:`ExpertModel`: each signal mapped to 0-100 by its ``bad``/``good`` thresholds, then a
  weighted mean over the signals an account has (missing ones are left out, not guessed).
- :class:`LearnedModel`: logistic regression (default) or LightGBM on the signals, with missing
  values imputed by the training median plus a "was missing" indicator (logistic) or handled
  natively (LightGBM); the probability is calibrated on out-of-fold predictions (``holdout``
  0.25 = four folds; the final model then learns from every row): Platt (``sigmoid``,
  the default: monotone, keeps the ranking and gives distinct scores) or ``isotonic`` (more
  flexible, but its steps tie many accounts on one score); ``auto`` picks isotonic only
  with a large held-out fold.

>>> import pandas as pd
>>> from cxpulse.health.config import Signal
>>> s = Signal(name="latest_nps", family="relationship", source="latest_nps", bad=4, good=9)
>>> m = ExpertModel(signals=(s,)).fit(pd.DataFrame({"latest_nps": [9.0, 4.0, None]}))
>>> m.score_points(pd.DataFrame({"latest_nps": [9.0, 6.5, None]})).round(1).tolist()
[100.0, 50.0, 50.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from cxpulse.errors import CxpulseError, NotEnoughDataError
from cxpulse.health.attribution import shapley_of_sum, tree_shap_vs_reference
from cxpulse.health.categories import (
    CategoryLevels,
    is_categorical,
    learn_levels,
    level_counts,
    normalised,
)
from cxpulse.health.config import LEVEL_OTHER, Signal

NEUTRAL = 50.0


class ModelNotFittedError(CxpulseError, AttributeError):
    """A model was used before ``fit``."""


def _frame(
    X: Any, names: Sequence[str] | None = None, categorical: Sequence[str] = ()
) -> pd.DataFrame:
    """Features as floats, except the ``categorical`` columns (text levels, kept as given)."""
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X), columns=names)
    if not categorical:
        return frame.astype("float64")
    cats = set(categorical)
    return pd.DataFrame(
        {c: frame[c] if c in cats else frame[c].astype("float64") for c in frame.columns},
        index=frame.index,
    )


def signal_points(values: pd.Series, signal: Signal) -> pd.Series:
    """A signal's values mapped to 0-100 by its thresholds (linear between bad and good), or
    for a categorical signal 50 + the points of its level (NaN where it has none)."""
    if signal.type == "categorical":
        points = signal.level_points
        other = points.get(LEVEL_OTHER, np.nan)
        level = normalised(values)
        got = level.map(lambda v: np.nan if v is None else points.get(v, other))
        return (NEUTRAL + got.astype("float64")).clip(0.0, 100.0)
    assert signal.bad is not None and signal.good is not None  # numeric signals have both
    scaled = (values - signal.bad) / (signal.good - signal.bad)
    return (scaled.clip(0.0, 1.0) * 100.0).astype("float64")


class HealthModel(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Shared behaviour: probabilities, 0-100 points, ROC AUC as ``score``."""

    name = "model"

    def _check_fitted(self) -> None:
        if not hasattr(self, "feature_names_in_"):
            raise ModelNotFittedError(
                key="health.error.not_fitted", values={"model": type(self).__name__}
            )

    def score_points(self, X: Any) -> np.ndarray:
        """The health score 0-100 of each row: 100 x P(good outcome)."""
        return np.asarray(self.predict_proba(X)[:, 1] * 100.0)

    def predict_proba(self, X: Any) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def contributions(self, X: Any) -> pd.DataFrame:  # pragma: no cover - abstract
        """Score points each signal adds (+) or takes away (-), one row per account."""
        raise NotImplementedError

    def unseen_rows(self, X: Any) -> dict[str, np.ndarray]:
        """Per categorical signal, which rows of ``X`` have a level the model has no place for
        (scored as ``other``, or missing for the expert model); signals without one are left
        out."""
        return {}

    def unseen_levels(self, X: Any) -> dict[str, dict[str, int]]:
        """Per categorical signal, the levels of ``X`` the model has no place for (scored as
        ``other``, or missing for the expert model without ``other`` points), with counts."""
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
        return {name: level_counts(frame[name], mask) for name, mask in self.unseen_rows(X).items()}

    def predict(self, X: Any) -> np.ndarray:
        """1 (good outcome) where P(good) >= 0.5, else 0."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype("int64")

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """ROC AUC of P(good outcome) against ``y`` (1 = good). Higher is better."""
        return float(roc_auc_score(np.asarray(y), self.predict_proba(X)[:, 1]))


class ExpertModel(HealthModel):
    """Weights and thresholds written by a customer-success team (``[[health.signals]]``)."""

    name = "expert"

    def __init__(self, signals: Sequence[Signal] = ()) -> None:
        self.signals = signals

    def fit(self, X: Any, y: Any = None) -> ExpertModel:
        """Check the signals against the columns of ``X``; nothing is learned from ``y``."""
        used = [s for s in self.signals if s.weight > 0]
        columns = X.columns if isinstance(X, pd.DataFrame) else _frame(X).columns
        absent = [s.name for s in used if s.name not in columns]
        if absent:
            raise CxpulseError(
                f"ExpertModel: feature table lacks the signals {absent}; "
                "compute features with the same [[health.signals]] catalogue"
            )
        if not used:
            raise CxpulseError(key="health.error.no_weights")
        self.signals_ = tuple(used)
        self.feature_names_in_ = np.array([s.name for s in used], dtype=object)
        self.n_features_in_ = len(used)
        self.weights_ = pd.Series([s.weight for s in used], index=self.feature_names_in_)
        self.classes_ = np.array([0, 1])
        return self

    def signal_scores(self, X: Any) -> pd.DataFrame:
        """Each signal mapped to 0-100 (NaN where the account lacks the signal)."""
        self._check_fitted()
        frame = self._own(X)
        return pd.DataFrame(
            {s.name: signal_points(frame[s.name], s) for s in self.signals_}, index=frame.index
        )

    def _own(self, X: Any) -> pd.DataFrame:
        """The columns of the signals this model reads (numbers as floats, levels as text)."""
        names = [str(n) for n in self.feature_names_in_]
        own = X[names] if isinstance(X, pd.DataFrame) else X
        cats = [s.name for s in self.signals_ if s.type == "categorical"]
        return _frame(own, names, categorical=cats)

    def unseen_rows(self, X: Any) -> dict[str, np.ndarray]:
        self._check_fitted()
        frame = self._own(X)
        out = {}
        for s in self.signals_:
            if s.type != "categorical":
                continue
            text = normalised(frame[s.name])
            mask = np.asarray(text.notna() & ~text.isin(list(s.level_points)), dtype=bool)
            if mask.any():
                out[s.name] = mask
        return out

    def contributions(self, X: Any) -> pd.DataFrame:
        """Points above or below the neutral 50 each signal adds; they sum to score - 50."""
        points = self.signal_scores(X)
        w = points.notna() * self.weights_.to_numpy()
        total = w.sum(axis=1).replace(0.0, np.nan)
        contrib = (points - NEUTRAL).fillna(0.0) * w
        return contrib.div(total, axis=0).fillna(0.0)

    def predict_proba(self, X: Any) -> np.ndarray:
        """P(good) = expert score / 100; an account with no signals at all gets 0.5."""
        score = (NEUTRAL + self.contributions(X).sum(axis=1)).to_numpy() / 100.0
        return np.column_stack([1.0 - score, score])

    def reference_account(self) -> pd.DataFrame:
        """The neutral account the points are measured from: each signal halfway between its
        ``bad`` and ``good`` thresholds (50 points each, so a score of 50); a categorical
        signal (points per level) is missing there, which counts 0 points."""
        self._check_fitted()
        row: dict[str, Any] = {
            s.name: None if s.bad is None or s.good is None else (s.bad + s.good) / 2.0
            for s in self.signals_
        }
        frame = pd.DataFrame([row], index=["reference"], dtype=object)
        for s in self.signals_:
            if s.bad is not None and s.good is not None:
                frame[s.name] = frame[s.name].astype("float64")
        return frame

    def reference_score(self) -> float:
        """The neutral account's score: 50."""
        return NEUTRAL

    def coverage(self, X: Any) -> pd.Series:
        """Share of the expert weight backed by signals the account actually has (0-1)."""
        points = self.signal_scores(X)
        w = self.weights_.to_numpy()
        return (points.notna() * w).sum(axis=1) / w.sum()


Estimator = Literal["logistic", "lightgbm"]
Calibration = Literal["auto", "isotonic", "sigmoid", "none"]
Transform = Literal["signed_log", "none"]


class LearnedModel(HealthModel):
    """Weights learned from past outcomes, probability calibrated on a held-out fold."""

    def __init__(
        self,
        estimator: Estimator = "logistic",
        calibration: Calibration = "sigmoid",
        transform: Transform = "signed_log",
        holdout: float = 0.25,
        C: float = 0.01,
        n_estimators: int = 300,
        learning_rate: float = 0.03,
        num_leaves: int = 15,
        min_child_samples: int = 20,
        subsample: float = 0.8,
        colsample_bytree: float = 0.8,
        reg_lambda: float = 0.0,
        random_state: int = 0,
        categories: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.estimator = estimator
        self.calibration = calibration
        self.transform = transform
        self.holdout = holdout
        self.C = C
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.random_state = random_state
        self.categories = categories

    @property
    def name(self) -> str:  # type: ignore[override]
        return str(self.estimator)

    # ---- design matrix ------------------------------------------------------------------
    def _numeric(self) -> list[str]:
        cats = set(getattr(self, "categorical_", ()))
        return [str(c) for c in self.feature_names_in_ if c not in cats]

    def _shape(self, frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame[self._numeric()]
        if self.transform == "signed_log" and self.estimator == "logistic":
            # counts and amounts have long tails; on a log scale one huge account does not
            # dominate the standardised weights
            return np.sign(frame) * np.log1p(frame.abs())
        return frame

    def _one_hot(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The ``<signal>=<level>`` columns of the categorical signals (see categories.py)."""
        levels: dict[str, CategoryLevels] = getattr(self, "levels_", {})  # older files: none
        parts = [levels[c].encode(frame[c]) for c in getattr(self, "categorical_", ())]
        return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=frame.index)

    def _design_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The model's input columns (:attr:`design_columns_`), one-hot levels included."""
        shaped = self._shape(frame)
        onehot = self._one_hot(frame)
        if self.estimator == "lightgbm":
            return pd.concat([shaped, onehot], axis=1)
        filled = shaped.fillna(self.medians_)
        parts = [(filled - self.means_) / self.scales_]
        if self.missing_columns_:
            flags = shaped[self.missing_columns_].isna().astype("float64")
            parts.append(flags.add_suffix("__missing"))
        if onehot.shape[1]:
            parts.append((onehot - self.onehot_means_) / self.onehot_scales_)
        return pd.concat(parts, axis=1)

    def _design(self, frame: pd.DataFrame) -> np.ndarray:
        return self._design_frame(frame).to_numpy(dtype="float64")

    def _raw_proba(self, frame: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model_.predict_proba(self._design(frame))[:, 1])

    # ---- fitting ------------------------------------------------------------------------
    def fit(self, X: Any, y: Any) -> LearnedModel:
        """Fit on features ``X`` (one column per signal) and labels ``y`` (1 = good outcome).

        Text columns are categorical signals: their levels are learned here (rare ones grouped
        into ``other``, thresholds per signal in ``categories``) and one-hot encoded.
        """
        given = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
        cats = [str(c) for c in given.columns if is_categorical(given[c])]
        frame = _frame(given, categorical=cats)
        target = np.asarray(y).astype("int64")
        counts = np.bincount(target, minlength=2)
        if len(counts) > 2 or counts.min() < 5:
            raise NotEnoughDataError(
                key="health.error.one_class", values={"bad": counts[0], "good": counts[1]}
            )
        if self.estimator not in ("logistic", "lightgbm"):
            raise CxpulseError(key="health.error.estimator", values={"estimator": self.estimator})
        self.feature_names_in_ = np.array(frame.columns, dtype=object)
        self.n_features_in_ = frame.shape[1]
        self.classes_ = np.array([0, 1])
        self.categorical_ = cats
        self.levels_ = learn_levels(frame[cats], self.categories)
        method = self._calibration_method(len(target), counts)
        if self.transform not in ("signed_log", "none"):
            raise CxpulseError(key="health.error.transform", values={"transform": self.transform})
        shaped = self._shape(frame)
        self.medians_ = shaped.median().fillna(0.0)
        filled = shaped.fillna(self.medians_)
        self.means_ = filled.mean()
        self.scales_ = filled.std(ddof=0).replace(0.0, 1.0).fillna(1.0)
        self.missing_columns_ = [c for c in shaped.columns if shaped[c].isna().any()]
        onehot = self._one_hot(frame)
        self.onehot_means_ = onehot.mean()
        self.onehot_scales_ = onehot.std(ddof=0).replace(0.0, 1.0).fillna(1.0)
        design_frame = self._design_frame(frame)
        self.design_columns_ = [str(c) for c in design_frame.columns]
        self.feature_groups_ = self._groups()
        design = design_frame.to_numpy(dtype="float64")
        self.calibration_ = method
        self.calibrator_: Any = None
        if method != "none":
            # out-of-fold probabilities fit the calibration; the model itself then learns from
            # every row (no rows set aside only for calibrating)
            folds = max(2, round(1.0 / self.holdout))
            raw = np.empty(len(target), dtype="float64")
            splitter = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
            for tr, te in splitter.split(design, target):
                part = self._base_estimator().fit(design[tr], target[tr])
                raw[te] = part.predict_proba(design[te])[:, 1]
            if method == "isotonic":
                self.calibrator_ = IsotonicRegression(
                    out_of_bounds="clip", y_min=0.0, y_max=1.0
                ).fit(raw, target)
            else:
                self.calibrator_ = LogisticRegression().fit(_logit(raw)[:, None], target)
        self.model_ = self._base_estimator().fit(design, target)
        self.reference_values_ = reference_account(frame, self.levels_)
        self.reference_logit_ = float(
            self._raw_logit(self._reference_frame(self.reference_values_))[0]
        )
        self.base_rate_ = float(target.mean())
        # the scores of the training rows, for bands by the riskiest share
        self.score_quantiles_ = np.quantile(self.score_points(frame), np.linspace(0, 1, 101))
        return self

    def _columns(self) -> list[str]:
        """The design columns (models saved before categorical signals lack the attribute)."""
        cols = getattr(self, "design_columns_", None)
        if cols is not None:
            return list(cols)
        names = [str(c) for c in self.feature_names_in_]
        if self.estimator == "lightgbm":
            return names
        return names + [f"{c}__missing" for c in self.missing_columns_]

    def _groups(self) -> dict[str, list[str]]:
        """Signal -> its design columns: itself and its "was missing" flag for a numeric
        signal, its ``<signal>=<level>`` columns (``other`` included) for a categorical one."""
        groups: dict[str, list[str]] = {}
        levels: dict[str, CategoryLevels] = getattr(self, "levels_", {})
        for name in (str(c) for c in self.feature_names_in_):
            if name in levels:
                groups[name] = list(levels[name].columns)
            else:
                flag = f"{name}__missing"
                groups[name] = [name] + ([flag] if flag in self._columns() else [])
        return groups

    def unseen_rows(self, X: Any) -> dict[str, np.ndarray]:
        self._check_fitted()
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
        out = {}
        for name, levels in self.levels_.items():
            if name not in frame.columns:
                continue
            mask = levels.unseen_mask(frame[name])
            if mask.any():
                out[name] = mask
        return out

    def _input(self, X: Any) -> pd.DataFrame:
        return _frame(X, list(self.feature_names_in_), getattr(self, "categorical_", ()))

    def _calibration_method(self, n: int, counts: np.ndarray) -> str:
        if self.calibration != "auto":
            return str(self.calibration)
        # isotonic needs plenty of held-out rows; Platt is steadier on small folds
        held = n * self.holdout
        return "isotonic" if held >= 1000 and counts.min() * self.holdout >= 50 else "sigmoid"

    def _base_estimator(self) -> Any:
        if self.estimator == "lightgbm":
            from lightgbm import LGBMClassifier

            return LGBMClassifier(
                n_estimators=self.n_estimators,
                learning_rate=self.learning_rate,
                num_leaves=self.num_leaves,
                min_child_samples=self.min_child_samples,
                subsample=self.subsample,
                subsample_freq=1 if self.subsample < 1 else 0,
                colsample_bytree=self.colsample_bytree,
                reg_lambda=self.reg_lambda,
                random_state=self.random_state,
                n_jobs=1,
                verbose=-1,
            )
        return LogisticRegression(C=self.C, max_iter=2000)

    # ---- prediction ---------------------------------------------------------------------
    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated [P(bad), P(good)] per row."""
        self._check_fitted()
        frame = self._input(X)
        raw = np.clip(self._raw_proba(frame), 1e-12, 1 - 1e-12)
        good = self._calibrated(np.log(raw / (1.0 - raw)))
        return np.column_stack([1.0 - good, good])

    def _raw_logit(self, frame: pd.DataFrame) -> np.ndarray:
        raw = np.clip(self._raw_proba(frame), 1e-12, 1 - 1e-12)
        return np.asarray(np.log(raw / (1.0 - raw)))

    def _reference(self) -> pd.Series:
        """The reference account per signal (a number, or a categorical's level as text)."""
        if not hasattr(self, "reference_values_"):
            # a model saved before the reference account was stored: its training medians,
            # and a categorical's most common level in training
            names = [str(c) for c in self.feature_names_in_]
            ref = pd.Series(np.nan, index=names, dtype=object)
            medians = self.medians_.astype("float64")
            if self.transform == "signed_log" and self.estimator == "logistic":
                medians = np.sign(medians) * np.expm1(medians.abs())
            for name in names:
                if name in medians.index:
                    ref[name] = float(medians[name])
            levels: dict[str, CategoryLevels] = getattr(self, "levels_", {})
            shares = getattr(self, "onehot_means_", pd.Series(dtype="float64"))
            for name, lv in levels.items():
                part = shares.reindex(list(lv.columns)).fillna(0.0)
                if len(part) and part.max() > 0:
                    ref[name] = (*lv.levels, LEVEL_OTHER)[int(np.argmax(part.to_numpy()))]
            self.reference_values_ = ref
            self.reference_logit_ = float(self._raw_logit(self._reference_frame(ref))[0])
        return self.reference_values_

    def _reference_frame(self, ref: pd.Series) -> pd.DataFrame:
        row = ref.to_frame("reference").T[[str(c) for c in self.feature_names_in_]]
        return self._input(row)

    def _raw_parts(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, float]:
        """Each signal's exact share of ``f(x) - f(reference account)`` in raw log-odds.

        Logistic: ``coef x (design(x) - design(reference))`` summed over a signal's columns
        (its "was missing" flag and a categorical's levels included). LightGBM: interventional
        TreeSHAP against the reference account (see :mod:`cxpulse.health.attribution`).
        """
        columns, ref = self._raw_design_parts(frame)
        names = [str(c) for c in self.feature_names_in_]
        groups = self._signal_columns()
        parts = pd.DataFrame(
            {n: columns[groups[n]].sum(axis=1) for n in names},
            index=frame.index,
            columns=names,
        )
        return parts, ref

    def _signal_columns(self) -> dict[str, list[str]]:
        return dict(getattr(self, "feature_groups_", None) or self._groups())

    def _raw_design_parts(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, float]:
        """Each design column's share of ``f(x) - f(reference)`` and the reference log-odds;
        the shares of a signal's columns add up to its share.

        Logistic: ``coef x (design(x) - design(reference))`` per column. LightGBM:
        interventional TreeSHAP against the reference account's design row with the players
        the signals (a categorical's columns are one player); a categorical's share is put on
        the column of the account's own level (on the reference level's column when the
        account's level is missing)."""
        ref_values = self._reference()
        cols = self._columns()
        design = self._design(frame)
        centre = self._design(self._reference_frame(ref_values))[0]
        if self.estimator != "lightgbm":
            terms = (design - centre) * self.model_.coef_[0]
            return pd.DataFrame(terms, columns=cols, index=frame.index), float(
                self.reference_logit_
            )
        groups = self._signal_columns()
        signals = [str(c) for c in self.feature_names_in_]
        player = {c: i for i, s in enumerate(signals) for c in groups[s]}
        phi = tree_shap_vs_reference(
            self.model_.booster_, design, centre, [player[c] for c in cols], len(signals)
        )
        out = np.zeros_like(design)
        index = {c: j for j, c in enumerate(cols)}
        for i, s in enumerate(signals):
            own = [index[c] for c in groups[s]]
            if len(own) == 1:
                out[:, own[0]] = phi[:, i]
                continue
            hot = design[:, own] > 0.5
            ref_hot = centre[own] > 0.5
            at = np.where(
                hot.any(axis=1), hot.argmax(axis=1), ref_hot.argmax() if ref_hot.any() else 0
            )
            out[np.arange(len(design)), np.asarray(own)[at]] = phi[:, i]
        return pd.DataFrame(out, columns=cols, index=frame.index), float(self.reference_logit_)

    def encoded_log_odds_contributions(self, X: Any) -> pd.DataFrame:
        """Like :meth:`log_odds_contributions`, one column per design column
        (``<signal>=<level>`` for categorical signals); :attr:`feature_groups_` maps each
        signal to its columns."""
        self._check_fitted()
        return self._raw_design_parts(self._input(X))[0]

    def log_odds_contributions(self, X: Any) -> pd.DataFrame:
        """Each signal's exact share of the raw log-odds minus the reference account's."""
        self._check_fitted()
        return self._raw_parts(self._input(X))[0]

    def _calibrated(self, raw_logit: np.ndarray) -> np.ndarray:
        """P(good) from raw log-odds through the fitted calibration (any array shape)."""
        z = np.asarray(raw_logit, dtype="float64")
        flat = z.ravel()
        raw = 1.0 / (1.0 + np.exp(-flat))
        if self.calibrator_ is None:
            good = raw
        elif isinstance(self.calibrator_, IsotonicRegression):
            good = np.asarray(self.calibrator_.predict(raw))
        else:  # Platt: the calibrator's own logistic function, in numpy for big arrays
            a = float(self.calibrator_.coef_[0, 0])
            b = float(self.calibrator_.intercept_[0])
            good = 1.0 / (1.0 + np.exp(-(a * _logit(raw) + b)))
        return np.asarray(np.clip(good, 0.0, 1.0)).reshape(z.shape)

    def log_odds(self, X: Any) -> np.ndarray:
        """The model's raw (uncalibrated) log-odds of the good outcome per row."""
        self._check_fitted()
        return self._raw_logit(self._input(X))

    def score_from_log_odds(self, log_odds: Any) -> np.ndarray:
        """The 0-100 score of raw log-odds, through the fitted calibration."""
        self._check_fitted()
        return 100.0 * self._calibrated(np.asarray(log_odds, dtype="float64"))

    def reference_score(self) -> float:
        """The score of the reference account (every signal at its typical value), 0-100."""
        self._check_fitted()
        self._reference()
        return float(100.0 * self._calibrated(np.array([self.reference_logit_]))[0])

    def reference_account(self) -> pd.DataFrame:
        """The reference account as one feature row (each signal at its typical value)."""
        self._check_fitted()
        return self._reference_frame(self._reference())

    def contributions(self, X: Any) -> pd.DataFrame:
        """Exact score points per signal on the 0-100 scale, calibration included.

        Baseline Shapley values of the whole score against the reference account: the raw
        log-odds split exactly into signal shares (linear terms, or interventional TreeSHAP),
        and the calibrated score of their sum is split by the exact Shapley values of that
        one-dimensional game (:func:`cxpulse.health.attribution.shapley_of_sum`). The points
        add up to ``score - reference_score()``; a signal at its reference value gets 0;
        extreme scores keep their real reasons (no local slope that vanishes). A categorical
        signal's levels are one signal.
        """
        self._check_fitted()
        frame = self._input(X)
        parts, ref = self._raw_parts(frame)
        points = shapley_of_sum(parts.to_numpy(), ref, lambda z: 100.0 * self._calibrated(z))
        return pd.DataFrame(points, columns=parts.columns, index=frame.index)

    @property
    def weights_(self) -> pd.Series:
        """Learned weight per model column (a numeric signal, or ``<signal>=<level>``):
        standardized coefficient (logistic) or gain share (LightGBM); "was missing" flags
        are left out."""
        self._check_fitted()
        cols = self._columns()
        if self.estimator == "lightgbm":
            gain = self.model_.booster_.feature_importance(importance_type="gain")
            weights = pd.Series(gain / max(gain.sum(), 1e-12), index=cols)
        else:
            weights = pd.Series(self.model_.coef_[0], index=cols)
        return weights[[c for c in cols if not c.endswith("__missing")]]


def reference_account(
    frame: pd.DataFrame, levels: dict[str, CategoryLevels] | None = None
) -> pd.Series:
    """The typical training account: each signal at its training median, a yes/no signal at
    its more common value, a categorical at its most common level (rare levels counted as
    ``other``); a signal that more than half of the accounts lack is missing in the reference
    too. Its design row is then the modal level's one-hot pattern."""
    levels = levels or {}
    ref = pd.Series(np.nan, index=[str(c) for c in frame.columns], dtype=object)
    for name in ref.index:
        if frame[name].isna().mean() > 0.5:
            continue
        if name in levels:
            lv = levels[name]
            text = normalised(frame[name]).dropna()
            known = text.where(text.isin(lv.levels), LEVEL_OTHER)
            counts = known.value_counts()
            top = counts.index[counts.to_numpy() == counts.max()]
            ref[name] = str(sorted(top, key=lambda v: (v == LEVEL_OTHER, str(v)))[0])
            continue
        col = frame[name].astype("float64").dropna()
        if len(col.unique()) <= 2:
            counts = col.value_counts()
            ref[name] = float(counts.index[counts.to_numpy() == counts.max()].min())
        else:
            ref[name] = float(col.median())
    return ref


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(q / (1.0 - q)))


def make_model(kind: str, signals: Sequence[Signal] = (), **params: Any) -> HealthModel:
    """An unfitted model by name: ``expert``, ``logistic`` or ``lightgbm``."""
    if kind == "expert":
        return ExpertModel(signals=tuple(signals))
    if kind in ("logistic", "lightgbm"):
        if "categories" not in params:
            params = {**params, "categories": category_settings(signals) or None}
        return LearnedModel(estimator=kind, **params)  # type: ignore[arg-type]
    raise CxpulseError(key="health.error.unknown_model", values={"kind": kind})


def category_settings(signals: Sequence[Signal]) -> dict[str, dict[str, Any]]:
    """The rare-level thresholds of the categorical signals, for :class:`LearnedModel`."""
    return {
        s.name: {"min_count": s.min_count, "min_share": s.min_share}
        for s in signals
        if s.type == "categorical"
    }
