"""The closed loop: rules turn low answers and health drops into follow-up cases with an SLA;
a case workflow with full history; notifications by e-mail and webhook through an outbox;
indicators of how well the loop is closed.

Entry points for other packages: :func:`on_response` (the survey collector calls it after
storing an answer) and :func:`on_band_changes` (health band drops). The web app registers
its project's rules once with :func:`register_context`.
"""

from __future__ import annotations

from cxpulse.loop.cases import (
    CaseFilter,
    assign_case,
    case_history,
    change_case_status,
    classify_case,
    comment_case,
    get_case,
    is_case_breached,
    list_cases,
    open_case,
    prioritize_case,
    resolve_case,
)
from cxpulse.loop.context import LoopContext, context_for, register_context, unregister_context
from cxpulse.loop.errors import (
    CaseNotFoundError,
    DeliveryError,
    InvalidTransitionError,
    LoopError,
)
from cxpulse.loop.followup import resolve_and_follow_up, send_followup
from cxpulse.loop.hooks import check_health, on_band_changes, on_response
from cxpulse.loop.indicators import LoopIndicators, loop_indicators
from cxpulse.loop.outbox import DeliveryReport, deliver_pending, enqueue, retry_dead
from cxpulse.loop.rules import DEFAULT_LOOP_TOML, LoopConfig, Rule, parse_loop_config
from cxpulse.loop.worker import deliver_once, start_delivery_thread
from cxpulse.loop.workflow import STATUSES, TRANSITIONS, CaseStatus

__all__ = [
    "DEFAULT_LOOP_TOML",
    "STATUSES",
    "TRANSITIONS",
    "CaseFilter",
    "CaseNotFoundError",
    "CaseStatus",
    "DeliveryError",
    "DeliveryReport",
    "InvalidTransitionError",
    "LoopConfig",
    "LoopContext",
    "LoopError",
    "LoopIndicators",
    "Rule",
    "assign_case",
    "case_history",
    "change_case_status",
    "check_health",
    "classify_case",
    "comment_case",
    "context_for",
    "deliver_once",
    "deliver_pending",
    "enqueue",
    "get_case",
    "is_case_breached",
    "list_cases",
    "loop_indicators",
    "on_band_changes",
    "on_response",
    "open_case",
    "parse_loop_config",
    "prioritize_case",
    "register_context",
    "resolve_and_follow_up",
    "resolve_case",
    "retry_dead",
    "send_followup",
    "start_delivery_thread",
    "unregister_context",
]
