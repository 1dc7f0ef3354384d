"""The one current health score of each account: the active model's latest snapshot.

Every reader (the health page, the account page, the at-risk export, the API, ``cxpulse
health score`` and ``health explain``) asks :func:`current_scores` or :func:`account_score`,
so a score shown in two places is the same number, band and model, with its as-of date.

The active model is the one an admin promoted (``cxpulse health promote MODEL``, kept in
``models/active.json``), else ``[health] model`` of ``cxpulse.toml``.

>>> from cxpulse.workspace import Workspace
>>> ws = Workspace.connect("duckdb://")
>>> current = current_scores(ws)
>>> current.model, current.as_of, current.empty
('expert', None, True)
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cxpulse.errors import ConfigError
from cxpulse.health.bands import BandCutoffs, band_meanings
from cxpulse.health.features import health_config_of
from cxpulse.health.persistence import MODELS_DIR, SavedModel, model_path, project_model

if TYPE_CHECKING:
    from cxpulse.health.explain import AccountExplanation
    from cxpulse.workspace import Workspace

ACTIVE_FILE = "active.json"
MODEL_NAMES = ("expert", "logistic", "lightgbm")
CURRENT_COLUMNS = ("account_id", "score", "band", "explanation")


def _active_path(project_dir: str | Path) -> Path:
    return Path(project_dir) / MODELS_DIR / ACTIVE_FILE


def promote_model(project_dir: str | Path, name: str, *, by: str | None = None) -> Path:
    """Make ``name`` the model every page, export, API and CLI command scores with.

    A learned model must have been fitted (``cxpulse health fit``) first.
    """
    if name not in MODEL_NAMES:
        raise ConfigError(
            f"cannot promote model {name!r}; use one of {', '.join(MODEL_NAMES)}",
            key="health.error.unknown_model",
            values={"name": name, "choices": ", ".join(MODEL_NAMES)},
        )
    if name != "expert" and not model_path(project_dir, name).exists():
        raise ConfigError(
            f"cannot promote model {name!r}: it has not been fitted; run "
            f"'cxpulse health fit --model {name}' first",
            key="health.error.promote_unfitted",
            values={"name": name},
        )
    path = _active_path(project_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"model": name, "by": by, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def clear_promotion(project_dir: str | Path) -> bool:
    """Go back to ``[health] model``; True when a promotion was removed."""
    path = _active_path(project_dir)
    if path.exists():
        path.unlink()
        return True
    return False


def promoted_model(project_dir: str | Path | None) -> str | None:
    """The promoted model's name, or None when nobody promoted one."""
    if project_dir is None:
        return None
    path = _active_path(project_dir)
    if not path.exists():
        return None
    try:
        name = json.loads(path.read_text(encoding="utf-8")).get("model")
    except (OSError, ValueError):
        return None
    return str(name) if name in MODEL_NAMES else None


def active_model_name(ws: Workspace) -> str:
    """The promoted model, else ``[health] model`` (``expert`` by default)."""
    return promoted_model(ws.config.project_dir) or health_config_of(ws).model


def active_model(ws: Workspace, name: str | None = None) -> SavedModel:
    """The saved model to score with (``name``, default the active one).

    The expert model works without a fit (weights from ``[[health.signals]]``); a learned
    model must have been fitted in the project.
    """
    cfg = health_config_of(ws)
    chosen = name or active_model_name(ws)
    folder = ws.config.project_dir
    if folder is None:
        if chosen != "expert":
            raise ConfigError(key="health.error.model_folder", values={"model": chosen})
        folder = Path(".")
    return project_model(folder, cfg, chosen)


@dataclass(frozen=True)
class CurrentScores:
    """The active model's latest snapshot: one row per account it scored on that date."""

    model: str
    as_of: dt.date | None
    scores: pd.DataFrame = field(repr=False)  # account_id, score, band, explanation
    cutoffs: BandCutoffs = field(default_factory=lambda: BandCutoffs("score", 40.0, 70.0))
    outcome: str = "churn"
    horizon_days: int = 90

    @property
    def empty(self) -> bool:
        return self.scores.empty

    def meanings(self, lang: str = "es") -> dict[str, str]:
        """Each band in words ("roja: 38 % de riesgo de baja en 90 días, 3,1× el promedio")."""
        return band_meanings(
            self.scores["score"].to_numpy(dtype="float64"),
            self.scores["band"].astype(str).tolist(),
            self.cutoffs,
            outcome=self.outcome,
            horizon_days=self.horizon_days,
            lang=lang,
        )

    def of(self, account_id: str) -> dict[str, Any] | None:
        """Score and band of one account, or None when it is not in the snapshot."""
        hit = self.scores[self.scores["account_id"] == account_id]
        if hit.empty:
            return None
        row = hit.iloc[0]
        return {"score": float(row["score"]), "band": str(row["band"])}


def current_scores(ws: Workspace, *, model: str | None = None) -> CurrentScores:
    """The latest stored snapshot of ``model`` (default: the active model).

    Empty (``as_of`` None) when that model has not scored yet: another model's scores are
    never shown in its place.
    """
    from cxpulse.health.scoring import SCORES_TABLE, snapshot_info

    cfg = health_config_of(ws)
    name = model or active_model_name(ws)
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c in CURRENT_COLUMNS})
    empty["score"] = empty["score"].astype("float64")
    fixed = BandCutoffs("score", cfg.bands.red_below, cfg.bands.green_from)
    if SCORES_TABLE not in ws.con.list_tables():
        return CurrentScores(name, None, empty, fixed, cfg.outcome, cfg.horizon_days)
    t = ws.table(SCORES_TABLE)
    t = t.filter(t.model == name)
    last = t.as_of.max().execute()
    if last is None or pd.isna(last):
        return CurrentScores(name, None, empty, fixed, cfg.outcome, cfg.horizon_days)
    day = pd.Timestamp(last).date()
    rows = t.filter(t.as_of == day).select(*CURRENT_COLUMNS).execute()
    rows["account_id"] = rows["account_id"].astype(str)
    rows = rows.sort_values("account_id").reset_index(drop=True)
    info = snapshot_info(ws, day, name)
    if info is None:  # a snapshot stored before cut-offs were recorded
        return CurrentScores(name, day, rows, fixed, cfg.outcome, cfg.horizon_days)
    cut = BandCutoffs(
        str(info["method"]), float(info["red_below"]), float(info["green_from"]), info["base_risk"]
    )
    return CurrentScores(name, day, rows, cut, str(info["outcome"]), int(info["horizon_days"]))


def account_score(
    ws: Workspace,
    account_id: str,
    *,
    model: str | None = None,
    as_of: Any = None,
    lang: str | None = None,
) -> AccountExplanation | None:
    """One account's current score with its band, model, as-of date and reasons, or None.

    The same row :func:`current_scores` returns for the account (its latest snapshot of the
    active model), explained in ``lang``.
    """
    from cxpulse.health.scoring import NoScoresError, explain_account

    try:
        return explain_account(
            ws, account_id, model=model or active_model_name(ws), as_of=as_of, lang=lang
        )
    except NoScoresError:
        return None
