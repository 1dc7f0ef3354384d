"""Fitted models saved in the project folder (``models/``) with what they were fitted for.

>>> import tempfile
>>> from cxpulse.health.config import Signal
>>> from cxpulse.health.models import ExpertModel
>>> import pandas as pd
>>> s = Signal(name="latest_nps", family="relationship", source="latest_nps", bad=4, good=9)
>>> m = ExpertModel(signals=(s,)).fit(pd.DataFrame({"latest_nps": [7.0]}))
>>> folder = tempfile.mkdtemp()
>>> path = save_model(folder, m, signals=(s,), outcome="churn", horizon_days=90)
>>> load_model(folder).model.signals_[0].name
'latest_nps'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib

from cxpulse.errors import CxpulseError
from cxpulse.health.config import Signal
from cxpulse.health.models import HealthModel

MODELS_DIR = "models"
CURRENT = "health-current.joblib"
REPORT_SUFFIX = ".report.json"


class ModelNotFoundError(CxpulseError):
    """No saved health model where one was expected."""


@dataclass
class SavedModel:
    """A fitted model with the signals it reads and the outcome it predicts."""

    model: HealthModel
    signals: tuple[Signal, ...]
    outcome: str
    horizon_days: int
    fitted_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat())
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.model.name)


def model_path(project_dir: str | Path, name: str | None = None) -> Path:
    """Where a model is saved: ``models/health-<name>.joblib`` (``current`` by default)."""
    folder = Path(project_dir) / MODELS_DIR
    return folder / (CURRENT if name in (None, "current") else f"health-{name}.joblib")


def report_path(project_dir: str | Path, name: str) -> Path:
    """Where the stored report of model ``name`` lives: beside its model file,
    ``models/health-<name>.report.json`` (the expert model's too, fitted or not)."""
    return Path(project_dir) / MODELS_DIR / f"health-{name}{REPORT_SUFFIX}"


def model_digest(project_dir: str | Path, name: str) -> str | None:
    """A digest of model ``name``'s saved file (None when it has not been saved), so a report
    knows whether the model it describes was refitted since."""
    import hashlib

    path = model_path(project_dir, name)
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def save_model(
    project_dir: str | Path,
    model: HealthModel,
    *,
    signals: Sequence[Signal],
    outcome: str,
    horizon_days: int,
    info: dict[str, Any] | None = None,
) -> Path:
    """Save a fitted model as ``models/health-<model>.joblib`` and as the current model."""
    saved = SavedModel(model, tuple(signals), outcome, horizon_days, info=dict(info or {}))
    path = model_path(project_dir, saved.name)
    from cxpulse.private_files import private_dir, private_file

    private_dir(path.parent)
    joblib.dump(saved, path)
    joblib.dump(saved, model_path(project_dir))
    private_file(path)
    private_file(model_path(project_dir))
    return path


def load_model(project_dir: str | Path, name: str | None = None) -> SavedModel:
    """Load the current model (or ``name``: expert, logistic, lightgbm) of a project."""
    path = model_path(project_dir, name)
    if not path.exists():
        raise ModelNotFoundError(key="health.error.no_model", values={"path": path})
    saved = joblib.load(path)
    if not isinstance(saved, SavedModel):
        raise ModelNotFoundError(key="health.error.not_a_model", values={"path": path})
    return saved


def project_model(project_dir: str | Path, config: Any, name: str | None = None) -> SavedModel:
    """The model to score with: the saved one (``name`` or current), else the expert model.

    ``config`` is the project's :class:`~cxpulse.health.config.HealthConfig`. Without any saved
    model the expert model from ``[[health.signals]]`` is used, so scoring works before any
    history exists.
    """
    import pandas as pd

    from cxpulse.health.models import ExpertModel

    if model_path(project_dir, name).exists() or name not in (None, "current", "expert"):
        return load_model(project_dir, name)
    signals = tuple(config.signals)
    expert = ExpertModel(signals=signals).fit(pd.DataFrame(columns=[s.name for s in signals]))
    # nothing was fitted: no date to show
    return SavedModel(expert, signals, config.outcome, config.horizon_days, fitted_at="")
