"""Loop indicators computed in the store's SQL, checked against pandas/numpy on the same data."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from scipy import stats as sp

from cxpulse import store
from cxpulse.loop.cases import open_case
from cxpulse.loop.indicators import loop_indicators, sla_attainment
from cxpulse.stats import quantile_order_statistics
from cxpulse.store import Case, Invitation, Survey, SurveyResponse

NOW = datetime(2026, 6, 30, 0, 0, tzinfo=UTC)


def _wilson(hits: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    z = sp.norm.ppf(1 - (1 - confidence) / 2)
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def _seed(url: str, rng: np.random.Generator) -> pd.DataFrame:
    """Cases with random opening, contact, resolution and follow-up answers; returns truth."""
    rows = []
    with store.session(url) as s:
        survey = Survey(slug="follow", kind="nps")
        s.add(survey)
        s.flush()
        for i in range(80):
            created = NOW - timedelta(days=float(rng.uniform(1, 40)))
            trigger = "detractor" if i % 5 else "csat_low"
            sla = 48.0
            case = open_case(
                s,
                account_id=f"A{i}",
                trigger=trigger,
                title=f"c{i}",
                priority="high",
                sla_hours=sla,
                at=created,
            )
            contact_h = float(rng.exponential(30)) if rng.random() < 0.85 else None
            if contact_h is not None and created + timedelta(hours=contact_h) > NOW:
                contact_h = None
            close_h = None
            if contact_h is not None and rng.random() < 0.7:
                close_h = contact_h + float(rng.exponential(50))
                if created + timedelta(hours=close_h) > NOW:
                    close_h = None
            case.first_contact_at = created + timedelta(hours=contact_h) if contact_h else None
            case.resolved_at = created + timedelta(hours=close_h) if close_h else None
            followup_score = None
            if close_h is not None and rng.random() < 0.8:
                inv = Invitation(survey_id=survey.id, token_hash=f"h{i}", account_id=f"A{i}")
                s.add(inv)
                s.flush()
                case.followup_invitation_id = inv.id
                if rng.random() < 0.75:
                    followup_score = int(rng.integers(0, 11))
                    s.add(
                        SurveyResponse(
                            survey_id=survey.id,
                            invitation_id=inv.id,
                            account_id=f"A{i}",
                            kind="nps",
                            score=followup_score,
                        )
                    )
            rows.append(
                {
                    "trigger": trigger,
                    "created": created,
                    "due": created + timedelta(hours=sla),
                    "contact_h": contact_h,
                    "close_h": close_h,
                    "followup": case.followup_invitation_id is not None,
                    "followup_score": followup_score,
                }
            )
        s.flush()
    return pd.DataFrame(rows)


def _median_ci(values: np.ndarray) -> tuple[float, float, float]:
    x = np.sort(values)
    r = quantile_order_statistics(len(x), 0.5)
    return float(np.median(x)), float(x[r.lower_rank - 1]), float(x[r.upper_rank - 1])


def test_indicators_match_an_independent_pandas_computation(store_url) -> None:
    truth = _seed(store_url, np.random.default_rng(11))
    d = truth[truth.trigger == "detractor"]
    with store.session(store_url) as s:
        got = loop_indicators(s, now=NOW)

    contacted_at = d.created + pd.to_timedelta(d.contact_h, unit="h")
    decided = d.contact_h.notna() | (d.due < NOW)
    on_time = d.contact_h.notna() & (contacted_at <= d.due)
    n, hits = int(decided.sum()), int((on_time & decided).sum())
    sla = got.contacted_within_sla
    assert sla.n == n and math.isclose(sla.value, hits / n)
    low, high = _wilson(hits, n)
    assert math.isclose(sla.ci_low, low, abs_tol=1e-9) and math.isclose(
        sla.ci_high, high, abs_tol=1e-9
    )

    for estimate, column in (
        (got.time_to_first_contact_hours, "contact_h"),
        (got.time_to_close_hours, "close_h"),
    ):
        values = d[column].dropna().to_numpy()
        median, lo, hi = _median_ci(values)
        assert estimate.n == len(values)
        assert math.isclose(estimate.value, median, rel_tol=1e-6, abs_tol=1e-4)
        assert math.isclose(estimate.ci_low, lo, rel_tol=1e-6, abs_tol=1e-4)
        assert math.isclose(estimate.ci_high, hi, rel_tol=1e-6, abs_tol=1e-4)

    answered = d.followup_score.dropna()
    promoters = int((answered >= 9).sum())
    assert got.followups_sent == int(d.followup.sum())
    assert got.recovery_rate.n == len(answered)
    assert math.isclose(got.recovery_rate.value, promoters / len(answered))


def test_every_trigger_and_period_filter(store_url) -> None:
    truth = _seed(store_url, np.random.default_rng(5))
    start = NOW - timedelta(days=20)
    with store.session(store_url) as s:
        every = loop_indicators(s, trigger=None, now=NOW)
        recent = loop_indicators(s, trigger=None, start=start, now=NOW)
    assert every.time_to_first_contact_hours.n == int(truth.contact_h.notna().sum())
    recent_truth = truth[truth.created >= start]
    assert recent.time_to_first_contact_hours.n == int(recent_truth.contact_h.notna().sum())


def test_case_not_yet_due_and_not_contacted_is_left_out(store_url) -> None:
    with store.session(store_url) as s:
        open_case(
            s,
            account_id="A",
            trigger="detractor",
            title="x",
            priority="high",
            sla_hours=48,
            at=NOW - timedelta(hours=1),
        )
        late = open_case(
            s,
            account_id="B",
            trigger="detractor",
            title="y",
            priority="high",
            sla_hours=48,
            at=NOW - timedelta(hours=72),
        )
        assert isinstance(late, Case)
    with store.session(store_url) as s:
        est = sla_attainment(s, now=NOW)
    assert est.n == 1 and est.value == 0.0 and est.small_sample


def test_no_cases_gives_nan_with_n_zero(store_url) -> None:
    with store.session(store_url) as s:
        got = loop_indicators(s, now=NOW)
    assert got.contacted_within_sla.n == 0 and math.isnan(got.contacted_within_sla.value)
    assert got.time_to_close_hours.n == 0 and math.isnan(got.time_to_close_hours.value)
    assert got.followups_sent == 0
