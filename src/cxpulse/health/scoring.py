"""Scoring accounts, score snapshots in the workspace, history and band changes.

Snapshots live in the workspace table ``health_scores`` (account_id, as_of, score, band,
model, explanation): one row per account, as-of date and model. Scoring the same date with
the same model again replaces that snapshot, so a rerun never duplicates history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from cxpulse.errors import ConfigError, CxpulseError
from cxpulse.health.bands import BandChange, BandCutoffs, band_cutoffs, playbook_text
from cxpulse.health.config import HealthConfig, Signal
from cxpulse.health.explain import AccountExplanation, describe, explanation_records
from cxpulse.health.features import as_instant, compute_features, health_config_of
from cxpulse.health.models import NEUTRAL, ExpertModel, HealthModel

if TYPE_CHECKING:
    from cxpulse.workspace import Workspace

SCORES_TABLE = "health_scores"
INFO_TABLE = "health_snapshot_info"  # one row per (as_of, model): how its bands were cut
INFO_SCHEMA = pa.schema(
    [
        pa.field("as_of", pa.date32()),
        pa.field("model", pa.string()),
        pa.field("method", pa.string()),
        pa.field("red_below", pa.float64()),
        pa.field("green_from", pa.float64()),
        pa.field("base_risk", pa.float64()),
        pa.field("outcome", pa.string()),
        pa.field("horizon_days", pa.int64()),
    ]
)
SNAPSHOT_SCHEMA = pa.schema(
    [
        pa.field("account_id", pa.string()),
        pa.field("as_of", pa.date32()),
        pa.field("score", pa.float64()),
        pa.field("band", pa.string()),
        pa.field("model", pa.string()),
        pa.field("explanation", pa.string()),
    ]
)


class NoScoresError(CxpulseError):
    """There is no score snapshot for what was asked."""


def model_signals(
    model: HealthModel, config: HealthConfig, signals: Sequence[Signal] | None = None
) -> tuple[Signal, ...]:
    """The signal definitions a fitted model reads, matched by name."""
    if signals is not None:
        return tuple(signals)
    if isinstance(model, ExpertModel) and hasattr(model, "signals_"):
        return tuple(model.signals_)
    if hasattr(model, "signals_"):
        return tuple(model.signals_)
    by_name = {s.name: s for s in config.signals}
    names = [str(n) for n in getattr(model, "feature_names_in_", [])]
    absent = [n for n in names if n not in by_name]
    if absent:
        raise ConfigError(key="health.error.undeclared", values={"absent": absent})
    return tuple(by_name[n] for n in names)


def score_frame(
    model: HealthModel,
    features: pd.DataFrame,
    *,
    as_of: Any,
    config: HealthConfig | None = None,
    model_name: str | None = None,
) -> pd.DataFrame:
    """Scores, bands and explanations for a feature table (no I/O)."""
    cfg = config or HealthConfig()
    names = [str(n) for n in model.feature_names_in_]
    X = features[names]
    score = np.round(model.score_points(X), 2)
    bands = band_cutoffs(model, cfg.bands).bands_for(score)
    return pd.DataFrame(
        {
            "account_id": features.index.astype(str),
            "as_of": as_instant(as_of).date(),
            "score": score.astype("float64"),
            "band": bands,
            "model": model_name or model.name,
            "explanation": explain_rows(model, X),
        }
    )


def explain_rows(model: HealthModel, X: pd.DataFrame) -> list[str]:
    """The explanation JSON of each row: points per signal (a categorical's levels merged into
    one), the reference score they add up from, and each top reason's one-signal
    counterfactual (the score re-computed with that signal at the reference account's value),
    and the categorical levels the model never saw in training (scored as "other")."""
    names = [str(n) for n in model.feature_names_in_]
    contrib = model.contributions(X)[names]
    ref_row = model.reference_account().iloc[0] if hasattr(model, "reference_account") else None
    # a categorical signal's value (and reference value) is its level, as text
    ref_values: dict[str, Any] = {} if ref_row is None else {n: ref_row[n] for n in names}

    def rescore(signal: str, rows: np.ndarray) -> np.ndarray:
        assert ref_row is not None
        what_if = X.iloc[rows].copy()
        what_if[signal] = ref_row[signal]
        return np.asarray(model.score_points(what_if), dtype="float64")

    return explanation_records(
        contrib,
        X[names],
        reference=reference_of(model),
        sizes=_sizes(model, list(contrib.columns)),
        reference_values=ref_values,
        rescore=None if ref_row is None else rescore,
        unseen=model.unseen_rows(X),
    )


def reference_of(model: HealthModel) -> float:
    """The score the explanation points are measured from (the points add up to score - it)."""
    if hasattr(model, "reference_score"):
        return float(model.reference_score())
    return NEUTRAL


def _sizes(model: HealthModel, names: list[str]) -> np.ndarray:
    """How big each signal is, to order reasons that push the score equally (expert weights)."""
    if isinstance(model, ExpertModel):
        weights = model.weights_
        return np.asarray(
            [weights[[c for c in weights.index if c.split("=", 1)[0] == n]].sum() for n in names],
            dtype="float64",
        )
    return np.zeros(len(names))


def write_scores(ws: Workspace, frame: pd.DataFrame) -> None:
    """Store a snapshot; rows of the same (as_of, model) already stored are replaced."""
    data = pa.Table.from_pandas(
        frame[SNAPSHOT_SCHEMA.names], schema=SNAPSHOT_SCHEMA, preserve_index=False
    )
    if SCORES_TABLE not in ws.con.list_tables():
        ws.write_table(SCORES_TABLE, data)
        return
    if frame.empty:
        return
    t = ws.table(SCORES_TABLE)
    pairs = frame[["as_of", "model"]].drop_duplicates().itertuples(index=False)
    clash = ibis.or_(*[(t.as_of == a) & (t.model == m) for a, m in pairs])
    if int(t.filter(clash).count().execute()):
        keep_name = f"{SCORES_TABLE}__keep"
        ws.con.create_table(keep_name, t.filter(~clash), overwrite=True)
        ws.con.create_table(SCORES_TABLE, ws.con.table(keep_name), overwrite=True)
        ws.con.drop_table(keep_name)
    ws.con.insert(SCORES_TABLE, data)
    ws.changed()


def score_accounts(
    ws: Workspace,
    model: HealthModel,
    as_of: Any = None,
    *,
    signals: Sequence[Signal] | None = None,
    model_name: str | None = None,
    write: bool = True,
) -> pd.DataFrame:
    """Score every live account as of a date (default today) and store the snapshot.

    Returns a DataFrame: account_id, as_of, score (0-100), band, model, explanation (JSON);
    ``frame.attrs["unseen_levels"]`` lists, per categorical signal, the levels the model did
    not see in training (scored as ``other``) with their number of accounts.
    """
    cfg = health_config_of(ws)
    when = as_instant(as_of if as_of is not None else dt.date.today())
    sigs = model_signals(model, cfg, signals)
    features = compute_features(ws, when, sigs)
    frame = score_frame(model, features, as_of=when, config=cfg, model_name=model_name)
    # levels the model never saw (scored as "other"): the caller reports them
    frame.attrs["unseen_levels"] = model.unseen_levels(features)
    if write:
        write_scores(ws, frame)
        cut = band_cutoffs(model, cfg.bands)
        write_info(ws, when.date(), model_name or model.name, cut, cfg.outcome, cfg.horizon_days)
    return frame


def write_info(
    ws: Workspace,
    as_of: dt.date,
    model: str,
    cutoffs: BandCutoffs,
    outcome: str,
    horizon_days: int,
) -> None:
    """Record how the snapshot (as_of, model) was banded, replacing an earlier record."""
    row = pa.Table.from_pylist(
        [
            {
                "as_of": as_of,
                "model": model,
                **cutoffs.as_dict(),
                "outcome": outcome,
                "horizon_days": int(horizon_days),
            }
        ],
        schema=INFO_SCHEMA,
    )
    if INFO_TABLE not in ws.con.list_tables():
        ws.write_table(INFO_TABLE, row)
        return
    t = ws.table(INFO_TABLE)
    keep = t.filter(~((t.as_of == as_of) & (t.model == model))).to_pyarrow()
    ws.write_table(INFO_TABLE, pa.concat_tables([keep.cast(INFO_SCHEMA), row]))


def snapshot_info(ws: Workspace, as_of: dt.date, model: str) -> dict[str, Any] | None:
    """How the snapshot (as_of, model) was banded (method, cut-offs, base risk), if recorded."""
    if INFO_TABLE not in ws.con.list_tables():
        return None
    t = ws.table(INFO_TABLE)
    rows = t.filter((t.as_of == as_of) & (t.model == model)).execute()
    if rows.empty:
        return None
    row = rows.iloc[-1].to_dict()
    base = row.get("base_risk")
    row["base_risk"] = None if base is None or pd.isna(base) else float(base)
    return row


def _scores(ws: Workspace, model: str | None) -> Any:
    if SCORES_TABLE not in ws.con.list_tables():
        raise NoScoresError(key="health.error.no_scores")
    t = ws.table(SCORES_TABLE)
    return t if model is None else t.filter(t.model == model)


def score_history(ws: Workspace, account_id: str, model: str | None = None) -> pd.DataFrame:
    """Every stored snapshot of one account, oldest first."""
    t = _scores(ws, model)
    frame = t.filter(t.account_id == account_id).order_by(["as_of", "model"]).execute()
    return frame.reset_index(drop=True)


def latest_scores(ws: Workspace, model: str | None = None) -> pd.DataFrame:
    """The most recent snapshot row of every account (per model)."""
    t = _scores(ws, model)
    last = t.group_by(["account_id", "model"]).aggregate(last=t.as_of.max())
    j = t.inner_join(
        last,
        [t.account_id == last.account_id, t.model == last.model, t.as_of == last["last"]],
    ).select(t)
    return j.order_by(["model", "score", "account_id"]).execute().reset_index(drop=True)


def band_changes(ws: Workspace, since: Any = None, model: str | None = None) -> list[BandChange]:
    """Accounts whose band changed between consecutive snapshots of ``model``.

    ``model`` defaults to the active model (the one whose score every page shows), so the
    closed loop reacts to the bands users see. ``since`` keeps changes whose new snapshot is
    on or after that date. The closed loop reacts to ``change.into_red``.
    """
    from cxpulse.health.current import active_model_name

    if SCORES_TABLE not in ws.con.list_tables():
        return []
    t = _scores(ws, model or active_model_name(ws))
    w = ibis.window(group_by=[t.account_id, t.model], order_by=t.as_of)
    t = t.mutate(prev_band=t.band.lag().over(w), prev_score=t.score.lag().over(w))
    changed = t.filter(t.prev_band.notnull(), t.band != t.prev_band)
    if since is not None:
        changed = changed.filter(changed.as_of >= as_instant(since).date())
    rows = changed.order_by(["as_of", "account_id"]).execute()
    return [
        BandChange(
            account_id=str(r.account_id),
            from_band=str(r.prev_band),
            to_band=str(r.band),
            at=pd.Timestamp(r.as_of).date(),
            score_before=float(r.prev_score),
            score_after=float(r.score),
            model=str(r.model),
        )
        for r in rows.itertuples(index=False)
    ]


def explain_account(
    ws: Workspace,
    account_id: str,
    *,
    model: str | None = None,
    as_of: Any = None,
    lang: str | None = None,
) -> AccountExplanation:
    """Explain an account's stored score (latest, or the one at ``as_of``) in plain words.

    ``model`` defaults to the active model, the one every page shows.
    """
    from cxpulse.health.current import active_model_name

    language = lang or ws.config.locale.language
    model = model or active_model_name(ws)
    hist = score_history(ws, account_id, model)
    if hist.empty:
        raise NoScoresError(
            key="health.error.account_model" if model else "health.error.account",
            values={"account": account_id, "model": model},
        )
    hist["as_of"] = pd.to_datetime(hist["as_of"]).dt.date
    if as_of is not None:
        hist = hist[hist["as_of"] <= as_instant(as_of).date()]
        if hist.empty:
            raise NoScoresError(
                key="health.error.account_before", values={"account": account_id, "as_of": as_of}
            )
    current_model = model
    row = hist.iloc[-1]
    previous = None
    if len(hist) > 1:
        prev = hist.iloc[-2]
        previous = (prev["as_of"], float(prev["score"]))
    cfg = health_config_of(ws)
    return describe(
        account_id=account_id,
        as_of=row["as_of"],
        score=float(row["score"]),
        band=str(row["band"]),
        model=current_model,
        explanation_json=str(row["explanation"]),
        previous=previous,
        playbook=playbook_text(str(row["band"]), language, cfg),
        lang=language,
    )
