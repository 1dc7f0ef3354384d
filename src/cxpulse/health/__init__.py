"""The Customer Health Score: signals, point-in-time features, expert and learned models,
bands with playbooks, explanations, backtests and score history.

>>> from cxpulse.workspace import Workspace
>>> from cxpulse.health import ExpertModel, compute_features, parse_health_config
>>> ws = Workspace.connect("duckdb://")
>>> cfg = parse_health_config({})
>>> X = compute_features(ws, "2025-06-01", cfg.signals)
>>> list(X.columns)[:3]
['revenue_trend', 'overdue_amount', 'days_to_renewal']
"""

from __future__ import annotations

from cxpulse.health.bands import BandChange, band_label, playbook_text
from cxpulse.health.builtins import BUILTINS, record_override
from cxpulse.health.config import (
    DEFAULT_HEALTH_TOML,
    Bands,
    HealthConfig,
    Signal,
    parse_health_config,
    parse_horizon,
)
from cxpulse.health.current import (
    CurrentScores,
    account_score,
    active_model,
    active_model_name,
    clear_promotion,
    current_scores,
    promote_model,
)
from cxpulse.health.evaluate import (
    EvaluationReport,
    ModelEvaluation,
    evaluate,
    evaluate_holdout,
)
from cxpulse.health.explain import AccountExplanation, Driver
from cxpulse.health.features import (
    compute_features,
    compute_labels,
    explain_features,
    feature_expression,
    training_frame,
)
from cxpulse.health.models import ExpertModel, HealthModel, LearnedModel, make_model
from cxpulse.health.persistence import SavedModel, load_model, project_model, save_model
from cxpulse.health.scoring import (
    SCORES_TABLE,
    band_changes,
    explain_account,
    latest_scores,
    score_accounts,
    score_history,
)
from cxpulse.health.training import FitResult, fit_model

__all__ = [
    "BUILTINS",
    "DEFAULT_HEALTH_TOML",
    "SCORES_TABLE",
    "AccountExplanation",
    "BandChange",
    "Bands",
    "CurrentScores",
    "Driver",
    "EvaluationReport",
    "ExpertModel",
    "FitResult",
    "HealthConfig",
    "HealthModel",
    "LearnedModel",
    "ModelEvaluation",
    "SavedModel",
    "Signal",
    "account_score",
    "active_model",
    "active_model_name",
    "band_changes",
    "band_label",
    "clear_promotion",
    "compute_features",
    "compute_labels",
    "current_scores",
    "evaluate",
    "evaluate_holdout",
    "explain_account",
    "explain_features",
    "feature_expression",
    "fit_model",
    "latest_scores",
    "load_model",
    "make_model",
    "parse_health_config",
    "parse_horizon",
    "playbook_text",
    "project_model",
    "promote_model",
    "record_override",
    "save_model",
    "score_accounts",
    "score_history",
    "training_frame",
]
