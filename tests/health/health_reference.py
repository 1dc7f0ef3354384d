"""The builtin health features computed a second, independent way: plain pandas on frames.

Used by the tests (engine results must match) and by the benchmark (the pandas baseline).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

IMPORTANT = ("high", "urgent")


def _ts(frame: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_datetime(frame[col])


def population(tables: dict[str, pd.DataFrame], as_of: dt.datetime) -> pd.Index:
    a = tables["accounts"]
    day = pd.Timestamp(as_of)
    start = pd.to_datetime(a["start_date"])
    end = pd.to_datetime(a["end_date"])
    alive = (start < day) & (end.isna() | (end > day))
    o = tables.get("outcomes", pd.DataFrame(columns=["account_id", "outcome", "occurred_at"]))
    gone = set(
        o.loc[(o["outcome"] == "churn") & (pd.to_datetime(o["occurred_at"]) <= day), "account_id"]
    )
    ids = a.loc[alive, "account_id"]
    return pd.Index(sorted(i for i in ids if i not in gone), name="account_id")


def _window(frame: pd.DataFrame, col: str, lo: dt.datetime, hi: dt.datetime) -> pd.DataFrame:
    t = _ts(frame, col)
    return frame[(t >= pd.Timestamp(lo)) & (t < pd.Timestamp(hi))]


def features(
    tables: dict[str, pd.DataFrame], as_of: dt.datetime, lookbacks: dict[str, int]
) -> pd.DataFrame:
    """Every builtin named in ``lookbacks`` (name -> lookback days), one row per live account."""
    idx = population(tables, as_of)
    out = pd.DataFrame(index=idx)
    for name, days in lookbacks.items():
        out[name] = _one(tables, name, as_of, days).reindex(idx)
    return out.astype("float64")


def _seen(frame: pd.DataFrame, col: str, as_of: dt.datetime, counts: pd.Series) -> pd.Series:
    """Counts kept (0 for no rows) only for accounts with a row before ``as_of``: an account
    never seen in the table has no data, not zero."""
    seen = set(frame.loc[_ts(frame, col) < pd.Timestamp(as_of), "account_id"])
    return counts.where(counts.index.isin(list(seen)))


def _table_seen(frame: pd.DataFrame, col: str, as_of: dt.datetime, counts: pd.Series) -> pd.Series:
    """Counts kept only when the table has any row before ``as_of``."""
    return counts if bool((_ts(frame, col) < pd.Timestamp(as_of)).any()) else counts * np.nan


def _one(tables: dict[str, pd.DataFrame], name: str, as_of: dt.datetime, days: int) -> pd.Series:
    start = as_of - dt.timedelta(days=days)
    prev = as_of - dt.timedelta(days=2 * days)
    months = days / 30.0
    idx = tables["accounts"]["account_id"]
    zero = pd.Series(0.0, index=idx)
    usage, tickets = tables["usage_events"], tables["tickets"]
    resp, touch, inv = tables["responses"], tables["touchpoints"], tables["invoices"]
    if name == "usage_frequency":
        w = _window(usage, "occurred_at", start, as_of)
        counts = (w.groupby("account_id").size() / months).reindex(idx).fillna(0.0)
        return _seen(usage, "occurred_at", as_of, counts)
    if name == "distinct_features":
        w = _window(usage, "occurred_at", start, as_of)
        counts = w.groupby("account_id")["feature"].nunique().reindex(idx).fillna(0.0)
        return _seen(usage, "occurred_at", as_of, counts)
    if name == "active_user_trend":
        cur = _window(usage, "occurred_at", start, as_of).groupby("account_id")["user_id"].nunique()
        old = _window(usage, "occurred_at", prev, start).groupby("account_id")["user_id"].nunique()
        both = pd.concat([cur.rename("c"), old.rename("p")], axis=1).fillna(0.0)
        both = both[both["c"] + both["p"] > 0]
        return ((both["c"] - both["p"]) / both["p"].where(both["p"] > 0)).astype("float64")
    if name == "license_utilisation":
        users = (
            _window(usage, "occurred_at", start, as_of).groupby("account_id")["user_id"].nunique()
        )
        acc = tables["accounts"].set_index("account_id")["licenses"].astype("float64")
        return (users.reindex(acc.index).fillna(0.0) / acc.where(acc > 0)).astype("float64")
    if name == "open_important_tickets":
        w = _window(tickets, "opened_at", start, as_of)
        res = _ts(w, "resolved_at")
        w = w[w["priority"].isin(IMPORTANT) & (res.isna() | (res >= pd.Timestamp(as_of)))]
        counts = w.groupby("account_id").size().reindex(idx).fillna(0.0)
        return _table_seen(tickets, "opened_at", as_of, counts)
    if name == "tickets_per_month":
        w = _window(tickets, "opened_at", start, as_of)
        counts = (w.groupby("account_id").size() / months).reindex(idx).fillna(0.0)
        return _table_seen(tickets, "opened_at", as_of, counts)
    if name == "recent_csat":
        w = _window(resp, "responded_at", start, as_of)
        return w[w["kind"] == "csat"].groupby("account_id")["score"].mean()
    if name == "resolution_hours":
        w = _window(tickets, "resolved_at", start, as_of)
        w = w[_ts(w, "opened_at") < pd.Timestamp(as_of)]
        hours = (_ts(w, "resolved_at") - _ts(w, "opened_at")).dt.total_seconds() / 3600.0
        return hours.groupby(w["account_id"]).mean()
    if name == "touchpoints_per_month":
        w = _window(touch, "occurred_at", start, as_of)
        counts = (w.groupby("account_id").size() / months).reindex(idx).fillna(0.0)
        return _seen(touch, "occurred_at", as_of, counts)
    if name == "days_since_touchpoint":
        w = _window(touch, "occurred_at", start, as_of)
        last = _ts(w, "occurred_at").groupby(w["account_id"]).max()
        since = (pd.Timestamp(as_of) - last).dt.total_seconds() / 86400.0
        return _seen(touch, "occurred_at", as_of, since.reindex(idx).fillna(float(days)))
    if name in ("latest_nps", "nps_trend"):
        w = _window(resp, "responded_at", prev if name == "nps_trend" else start, as_of)
        w = w[w["kind"] == "nps"].assign(t=lambda f: _ts(f, "responded_at"))
        if name == "latest_nps":
            last = w.groupby("account_id")["t"].transform("max")
            return w[w["t"] == last].groupby("account_id")["score"].mean().astype("float64")
        recent = w["t"] >= pd.Timestamp(start)
        cur = w[recent].groupby("account_id")["score"].mean()
        old = w[~recent].groupby("account_id")["score"].mean()
        return (cur - old).dropna()
    if name == "revenue_trend":
        # each invoice spread over the days of its service period (issue day when absent)
        w = inv[(inv["status"].isna() | (inv["status"] != "void"))]
        w = w[_ts(w, "issued_at") < pd.Timestamp(as_of)]
        first = _ts(w, "period_start").fillna(_ts(w, "issued_at")).dt.normalize()
        ends = _ts(w, "period_end") if "period_end" in w else pd.Series(pd.NaT, index=w.index)
        last = ends.fillna(first).dt.normalize()
        end = pd.concat([last, first], axis=1).max(axis=1) + pd.Timedelta(days=1)
        length = (end - first).dt.days.astype(float)

        def spread(lo: dt.datetime, hi: dt.datetime) -> pd.Series:
            a = first.clip(lower=pd.Timestamp(lo.date()))
            b = end.clip(upper=pd.Timestamp(hi.date()))
            days = (b - a).dt.days.clip(lower=0).astype(float)
            return (w["amount"] * days / length).groupby(w["account_id"]).sum()

        touched = (end > pd.Timestamp(prev.date())) & (first < pd.Timestamp(as_of.date()))
        ids = w.loc[touched, "account_id"].unique()
        cur = spread(start, as_of).reindex(ids)
        old = spread(prev, start).reindex(ids)
        both = pd.concat([cur.rename("c"), old.rename("p")], axis=1)
        both["c"] = both["c"].fillna(0.0)
        return ((both["c"] - both["p"]) / both["p"].where(both["p"] > 0)).astype("float64")
    if name == "overdue_amount":
        w = _window(inv, "issued_at", start, as_of)
        day = pd.Timestamp(as_of)
        paid = _ts(w, "paid_at")
        w = w[
            (_ts(w, "due_date") < day)
            & (paid.isna() | (paid >= day))
            & (w["status"].isna() | (w["status"] != "void"))
        ]
        counts = w.groupby("account_id")["amount"].sum().reindex(idx).fillna(0.0)
        return _seen(inv, "issued_at", as_of, counts)
    if name == "days_to_renewal":
        a = tables["accounts"].set_index("account_id")
        age = (pd.Timestamp(as_of) - pd.to_datetime(a["start_date"])).dt.days
        return (365 - age % 365).astype("float64")
    if name == "csm_rating":
        w = _window(touch, "occurred_at", start, as_of)
        return w.dropna(subset=["rating"]).groupby("account_id")["rating"].mean()
    return zero * np.nan
