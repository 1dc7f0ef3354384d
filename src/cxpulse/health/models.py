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
from cxpulse.health.attribution import feature_groups, shapley_of_sum, tree_shap_vs_reference
from cxpulse.health.config import Signal

NEUTRAL = 50.0


class ModelNotFittedError(CxpulseError, AttributeError):
    """A model was used before ``fit``."""


def _frame(X: Any, names: Sequence[str] | None = None) -> pd.DataFrame:
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X), columns=names)
    return frame.astype("float64")


def signal_points(values: pd.Series, signal: Signal) -> pd.Series:
    """A signal's values mapped to 0-100 by its thresholds (linear between bad and good)."""
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
        frame = _frame(X)
        used = [s for s in self.signals if s.weight > 0]
        absent = [s.name for s in used if s.name not in frame.columns]
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
        frame = _frame(X)
        return pd.DataFrame(
            {s.name: signal_points(frame[s.name], s) for s in self.signals_}, index=frame.index
        )

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
        ``bad`` and ``good`` thresholds (50 points each, so a score of 50)."""
        self._check_fitted()
        row = {s.name: (s.bad + s.good) / 2.0 for s in self.signals_}
        return pd.DataFrame([row], index=["reference"]).astype("float64")

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

    @property
    def name(self) -> str:  # type: ignore[override]
        return str(self.estimator)

    # ---- design matrix ------------------------------------------------------------------
    def _shape(self, frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame[list(self.feature_names_in_)]
        if self.transform == "signed_log" and self.estimator == "logistic":
            # counts and amounts have long tails; on a log scale one huge account does not
            # dominate the standardised weights
            return np.sign(frame) * np.log1p(frame.abs())
        return frame

    def _design(self, frame: pd.DataFrame) -> np.ndarray:
        frame = self._shape(frame)
        if self.estimator == "lightgbm":
            return frame.to_numpy()
        filled = frame.fillna(self.medians_)
        parts = [(filled - self.means_) / self.scales_]
        if self.missing_columns_:
            flags = frame[self.missing_columns_].isna().astype("float64")
            parts.append(flags.add_suffix("__missing"))
        return pd.concat(parts, axis=1).to_numpy()

    def _raw_proba(self, frame: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model_.predict_proba(self._design(frame))[:, 1])

    # ---- fitting ------------------------------------------------------------------------
    def fit(self, X: Any, y: Any) -> LearnedModel:
        """Fit on features ``X`` (one column per signal) and labels ``y`` (1 = good outcome)."""
        frame = _frame(X)
        target = np.asarray(y).astype("int64")
        counts = np.bincount(target, minlength=2)
        if len(counts) > 2 or counts.min() < 5:
            raise NotEnoughDataError(
                key="health.error.one_class", values={"bad": counts[0], "good": counts[1]}
            )
        if self.estimator not in ("logistic", "lightgbm"):
            raise CxpulseError(f"estimator {self.estimator!r}: use 'logistic' or 'lightgbm'")
        self.feature_names_in_ = np.array(frame.columns, dtype=object)
        self.n_features_in_ = frame.shape[1]
        self.classes_ = np.array([0, 1])
        method = self._calibration_method(len(target), counts)
        if self.transform not in ("signed_log", "none"):
            raise CxpulseError(f"transform {self.transform!r}: use 'signed_log' or 'none'")
        shaped = self._shape(frame)
        self.medians_ = shaped.median().fillna(0.0)
        filled = shaped.fillna(self.medians_)
        self.means_ = filled.mean()
        self.scales_ = filled.std(ddof=0).replace(0.0, 1.0).fillna(1.0)
        self.missing_columns_ = [c for c in frame.columns if frame[c].isna().any()]
        design = self._design(frame)
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
        self.signal_groups_ = feature_groups(
            [str(c) for c in frame.columns], getattr(self, "feature_groups_", None)
        )
        self.reference_values_ = reference_account(frame, self.signal_groups_)
        self.reference_logit_ = float(self._raw_logit(self.reference_account())[0])
        self.base_rate_ = float(target.mean())
        # the scores of the training rows, for bands by the riskiest share
        self.score_quantiles_ = np.quantile(self.score_points(frame), np.linspace(0, 1, 101))
        return self

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
        frame = _frame(X, list(self.feature_names_in_))
        raw = np.clip(self._raw_proba(frame), 1e-12, 1 - 1e-12)
        good = self._calibrated(np.log(raw / (1.0 - raw)))
        return np.column_stack([1.0 - good, good])

    def _raw_logit(self, frame: pd.DataFrame) -> np.ndarray:
        raw = np.clip(self._raw_proba(frame), 1e-12, 1 - 1e-12)
        return np.asarray(np.log(raw / (1.0 - raw)))

    def _reference(self) -> tuple[pd.Series, dict[str, list[str]]]:
        if not hasattr(self, "reference_values_"):
            # a model saved before the reference account was stored: its training medians
            names = [str(c) for c in self.feature_names_in_]
            medians = self.medians_.reindex(names).astype("float64")
            if self.transform == "signed_log" and self.estimator == "logistic":
                medians = np.sign(medians) * np.expm1(medians.abs())
            self.signal_groups_ = feature_groups(names, getattr(self, "feature_groups_", None))
            self.reference_values_ = medians
            self.reference_logit_ = float(self._raw_logit(self.reference_account())[0])
        return self.reference_values_, self.signal_groups_

    def _raw_parts(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, float]:
        """Each signal's exact share of ``f(x) - f(reference account)`` in raw log-odds.

        Logistic: ``coef x (design(x) - design(reference))`` summed over a signal's columns
        (its "was missing" flag and a categorical's levels included). LightGBM: interventional
        TreeSHAP against the reference account (see :mod:`cxpulse.health.attribution`).
        """
        ref_values, groups = self._reference()
        names = list(self.feature_names_in_)
        signals = list(groups)
        player = {c: i for i, s in enumerate(signals) for c in groups[s]}
        player_of = [player[c] for c in names]
        ref_frame = ref_values.to_frame().T[names].astype("float64")
        if self.estimator == "lightgbm":
            phi = tree_shap_vs_reference(
                self.model_.booster_,
                frame[names].to_numpy(dtype="float64"),
                ref_frame.to_numpy(dtype="float64")[0],
                player_of,
                len(signals),
            )
        else:
            design = self._design(frame)
            centre = self._design(ref_frame)[0]
            terms = (design - centre) * self.model_.coef_[0]
            owner = player_of + [player[c] for c in self.missing_columns_]
            phi = np.zeros((len(frame), len(signals)))
            np.add.at(phi.T, np.asarray(owner), terms.T)
        parts = pd.DataFrame(phi, columns=signals, index=frame.index)
        return parts, float(self.reference_logit_)

    def log_odds_contributions(self, X: Any) -> pd.DataFrame:
        """Each signal's exact share of the raw log-odds minus the reference account's."""
        self._check_fitted()
        return self._raw_parts(_frame(X, list(self.feature_names_in_)))[0]

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
        return self._raw_logit(_frame(X, list(self.feature_names_in_)))

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
        row = self._reference()[0].to_frame("reference").T
        return row[list(self.feature_names_in_)].astype("float64")

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
        frame = _frame(X, list(self.feature_names_in_))
        parts, ref = self._raw_parts(frame)
        points = shapley_of_sum(parts.to_numpy(), ref, lambda z: 100.0 * self._calibrated(z))
        return pd.DataFrame(points, columns=parts.columns, index=frame.index)

    @property
    def weights_(self) -> pd.Series:
        """Learned weight per signal: standardized coefficient (logistic) or gain share."""
        self._check_fitted()
        names = list(self.feature_names_in_)
        if self.estimator == "lightgbm":
            gain = self.model_.booster_.feature_importance(importance_type="gain")
            return pd.Series(gain / max(gain.sum(), 1e-12), index=names)
        return pd.Series(self.model_.coef_[0][: len(names)], index=names)


def reference_account(frame: pd.DataFrame, groups: dict[str, list[str]]) -> pd.Series:
    """The typical training account: each signal at its training median, a yes/no signal at
    its more common value, a categorical at its most common level; a signal that more than
    half of the accounts lack is missing in the reference too."""
    ref = pd.Series(np.nan, index=frame.columns, dtype="float64")
    for cols in groups.values():
        part = frame[cols]
        if part.isna().all(axis=1).mean() > 0.5:
            continue
        if len(cols) > 1:  # one column per level: the modal level's row pattern
            rows = part.dropna(how="all").fillna(0.0)
            pattern = rows.value_counts().index[0]
            ref[cols] = np.asarray(pattern, dtype="float64")
            continue
        col = part[cols[0]].dropna()
        levels = col.unique()
        if len(levels) <= 2:
            counts = col.value_counts()
            ref[cols[0]] = float(counts.index[counts.to_numpy() == counts.max()].min())
        else:
            ref[cols[0]] = float(col.median())
    return ref


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(q / (1.0 - q)))


def make_model(kind: str, signals: Sequence[Signal] = (), **params: Any) -> HealthModel:
    """An unfitted model by name: ``expert``, ``logistic`` or ``lightgbm``."""
    if kind == "expert":
        return ExpertModel(signals=tuple(signals))
    if kind in ("logistic", "lightgbm"):
        return LearnedModel(estimator=kind, **params)  # type: ignore[arg-type]
    raise CxpulseError(key="health.error.unknown_model", values={"kind": kind})
