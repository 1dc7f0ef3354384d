"""Independent pandas/numpy computations of every indicator, straight from the definitions.

Each function returns a frame with the group column ``segment`` (or none), ``period`` (a
date, or None without grain), ``value`` and ``n``. Written without the engine or cxpulse.stats
so that the engine is checked against a second implementation.
"""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

Frames = dict[str, pd.DataFrame]
IMPORTANT = ("high", "urgent")


def _with_segment(df: pd.DataFrame, frames: Frames) -> pd.DataFrame:
    seg = frames["accounts"][["account_id", "segment"]]
    return df.merge(seg, on="account_id", how="left")


def _month(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s).dt.to_period("M").dt.start_time.dt.date


def _keys(by_segment: bool, grain: bool) -> list[str]:
    return [*(["segment"] if by_segment else []), *(["period"] if grain else [])]


def _grouped(df: pd.DataFrame, keys: list[str]):  # type: ignore[no-untyped-def]
    if keys:
        return df.groupby(keys, dropna=False)
    return df.assign(_all=0).groupby("_all")


def _finish(out: pd.DataFrame, keys: list[str], grain: bool) -> pd.DataFrame:
    out = out.reset_index()
    if not grain:
        out["period"] = None
    return out[[*(["segment"] if "segment" in keys else []), "period", "value", "n"]]


def survey(frames: Frames, kind: str, stat: str, by_segment: bool, grain: bool) -> pd.DataFrame:
    """nps / csat (top-2-box) / csat_mean / ces / ces_easy."""
    r = _with_segment(frames["responses"], frames)
    r = r[r.kind == kind].assign(period=_month(r.responded_at))
    keys = _keys(by_segment, grain)
    g = _grouped(r, keys)["score"]
    if stat == "nps":
        value = g.apply(lambda s: 100.0 * ((s >= 9).mean() - (s <= 6).mean()))
    elif stat == "top":
        value = g.apply(lambda s: 100.0 * (s >= 4).mean())
    elif stat == "easy":
        value = g.apply(lambda s: 100.0 * (s >= 5).mean())
    else:
        value = g.mean()
    return _finish(pd.DataFrame({"value": value, "n": g.size()}), keys, grain)


def tickets(frames: Frames, stat: str, by_segment: bool, grain: bool) -> pd.DataFrame:
    """aht, fcr, and medians of time to first response / resolution (hours)."""
    t = _with_segment(frames["tickets"], frames)
    t = t.assign(period=_month(t.opened_at))
    keys = _keys(by_segment, grain)
    if stat == "aht":
        t = t[t.handle_time_minutes.notna()]
        g = _grouped(t, keys)["handle_time_minutes"]
        return _finish(pd.DataFrame({"value": g.mean(), "n": g.size()}), keys, grain)
    if stat == "fcr":
        t = t[t.status.isin(["resolved", "closed"]) & t.first_contact_resolution.notna()]
        t = t.assign(f=t.first_contact_resolution.astype(float))
        g = _grouped(t, keys)["f"]
        return _finish(pd.DataFrame({"value": 100 * g.mean(), "n": g.size()}), keys, grain)
    col = "first_response_at" if stat == "ttfr" else "resolved_at"
    t = t[t[col].notna()]
    t = t.assign(h=(t[col] - t.opened_at).dt.total_seconds() / 3600.0)
    g = _grouped(t, keys)["h"]
    out = pd.DataFrame({"value": g.median(), "n": g.size(), "p90": g.quantile(0.9)})
    res = _finish(out, keys, grain)
    res["p90"] = out["p90"].to_numpy()
    return res


def _months(first: date, last: date) -> list[pd.Timestamp]:
    return list(pd.date_range(pd.Timestamp(first).replace(day=1), pd.Timestamp(last), freq="MS"))


def churn(frames: Frames, by_segment: bool) -> pd.DataFrame:
    """Monthly logo churn: accounts active at month start that ended within the month."""
    a = frames["accounts"].copy()
    start = pd.to_datetime(a.start_date)
    end = pd.to_datetime(a.end_date)
    last = max(start.max(), end.max())
    rows = []
    for ps in _months(start.min().date(), last.date()):
        pe = ps + pd.offsets.MonthBegin(1)
        at_risk = (start < ps) & ~(end < ps)
        churned = at_risk & (end < pe)
        frame = pd.DataFrame({"segment": a.segment, "r": at_risk, "c": churned})
        groups = frame.groupby("segment", dropna=False) if by_segment else [(None, frame)]
        for seg, f in groups:
            if f.r.sum() == 0:
                continue
            rows.append(
                {
                    "segment": seg,
                    "period": ps.date(),
                    "value": 100 * f.c.sum() / f.r.sum(),
                    "n": int(f.r.sum()),
                }
            )
    out = pd.DataFrame(rows)
    return out if by_segment else out.drop(columns="segment")


def revenue(frames: Frames, gross: bool) -> pd.DataFrame:
    """Monthly GRR / NRR over accounts that billed the month before (all segments)."""
    inv = frames["invoices"]
    inv = inv[inv.status != "void"].assign(period=_month(inv.period_start))
    rev = inv.pivot_table(index="account_id", columns="period", values="amount", aggfunc="sum")
    rev = rev.fillna(0.0)
    months = sorted(rev.columns)
    rows = []
    for prev, cur in itertools.pairwise(months):
        x = rev[prev]
        keep = x > 0
        y = rev[cur][keep]
        if gross:
            y = np.minimum(y, x[keep])
        rows.append({"period": cur, "value": 100 * y.sum() / x[keep].sum(), "n": int(keep.sum())})
    return pd.DataFrame(rows)


PURCHASE = ("completed", "paid", "delivered", "shipped", "fulfilled", "")
CANCELLED = ("cancelled", "canceled", "refunded", "returned")


def _status(orders: pd.DataFrame) -> pd.Series:
    return orders.status.fillna("").astype(str).str.strip().str.lower()


def purchases(frames: Frames) -> pd.DataFrame:
    o = frames["orders"]
    return o[_status(o).isin(PURCHASE)]


def repeat(frames: Frames, by_segment: bool) -> pd.DataFrame:
    o = _with_segment(purchases(frames), frames).assign(period=lambda d: _month(d.ordered_at))
    keys = _keys(by_segment, True)
    per = o.groupby([*keys, "account_id"], dropna=False).size().rename("k").reset_index()
    g = per.groupby(keys, dropna=False)["k"]
    out = pd.DataFrame({"value": g.apply(lambda s: 100 * (s >= 2).mean()), "n": g.size()})
    return _finish(out, keys, True)


def open_important(frames: Frames) -> pd.DataFrame:
    """Important tickets open at each month end (all segments)."""
    every = frames["tickets"]
    t = every[every.priority.isin(IMPORTANT)]
    last = max(every.opened_at.max(), every.resolved_at.max())
    rows = []
    for ps in _months(every.opened_at.min().date(), last.date()):
        pe = ps + pd.offsets.MonthBegin(1)
        open_ = (t.opened_at < pe) & (
            (t.resolved_at.isna() & ~t.status.isin(["resolved", "closed"])) | (t.resolved_at >= pe)
        )
        rows.append({"period": ps.date(), "value": float(open_.sum()), "n": int(open_.sum())})
    return pd.DataFrame(rows)


def per_account(frames: Frames, table: str, column: str) -> pd.DataFrame:
    """Events per active account per month (all segments)."""
    ev = frames[table]
    a = frames["accounts"]
    start, end = pd.to_datetime(a.start_date), pd.to_datetime(a.end_date)
    rows = []
    times = pd.to_datetime(ev[column])
    for ps in _months(times.min().date(), times.max().date()):
        pe = ps + pd.offsets.MonthBegin(1)
        active = int(((start < pe) & ~(end < ps)).sum())
        events = int(((times >= ps) & (times < pe)).sum())
        rows.append({"period": ps.date(), "value": events / active, "n": active})
    return pd.DataFrame(rows)


def cohorts(frames: Frames) -> pd.DataFrame:
    """Retention of start-month cohorts k months after the start (k = 0..24)."""
    a = frames["accounts"]
    s = pd.to_datetime(a.start_date)
    e = pd.to_datetime(a.end_date)
    s_idx = s.dt.year * 12 + s.dt.month - 1
    e_idx = e.dt.year * 12 + e.dt.month - 1
    last = int(max(s_idx.max(), e_idx.max()))
    rows = []
    for cohort in sorted(s_idx.unique()):
        members = s_idx == cohort
        for k in range(0, 25):
            if cohort + k > last:
                break
            kept = members & (e_idx.isna() | (e_idx > cohort + k))
            rows.append(
                {
                    "period": date(cohort // 12, cohort % 12 + 1, 1),
                    "months_since_start": k,
                    "value": 100 * kept.sum() / members.sum(),
                    "n": int(members.sum()),
                }
            )
    return pd.DataFrame(rows)


def wilson(successes: float, n: float, conf: float = 0.95) -> tuple[float, float]:
    """Wilson score interval in percent (textbook formula)."""
    z = stats.norm.ppf(0.5 + conf / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * (centre - half), 100 * (centre + half)


def t_interval(values: np.ndarray, conf: float = 0.95) -> tuple[float, float]:
    lo, hi = stats.t.interval(conf, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    return float(lo), float(hi)


def order_money(frames: Frames, stat: str, by_segment: bool, grain: bool) -> pd.DataFrame:
    """net_revenue, average_order_value, orders_per_customer, cancellation_rate."""
    o = frames["orders"].assign(st=lambda d: _status(d))
    o = o[o.st.isin(PURCHASE + CANCELLED)]
    o = _with_segment(o, frames).assign(period=lambda d: _month(d.ordered_at))
    keys = _keys(by_segment, grain)
    buy = o.st.isin(PURCHASE)
    if stat == "cancellation_rate":
        g = _grouped(o.assign(c=~buy), keys)["c"]
        return _finish(pd.DataFrame({"value": 100 * g.mean(), "n": g.size()}), keys, grain)
    if stat == "net_revenue":
        signed = np.where(buy, o.amount, -o.amount.abs())
        g = _grouped(o.assign(v=signed), keys)
        out = pd.DataFrame({"value": g["v"].sum(), "n": g["account_id"].nunique()})
        return _finish(out, keys, grain)
    b = o[buy]
    g = _grouped(b, keys)
    if stat == "average_order_value":
        priced = b[b.amount.notna()]
        gp = _grouped(priced, keys)
        out = pd.DataFrame({"value": gp["amount"].mean(), "n": gp["account_id"].nunique()})
        return _finish(out, keys, grain)
    per = b.groupby([*keys, "account_id"], dropna=False).size().rename("k").reset_index()
    gk = _grouped(per, keys)["k"]
    return _finish(pd.DataFrame({"value": gk.mean(), "n": gk.size()}), keys, grain)


def returning(frames: Frames) -> pd.DataFrame:
    """Monthly buyers whose first purchase ever was in an earlier month."""
    b = purchases(frames).assign(period=lambda d: _month(d.ordered_at))
    first = b.groupby("account_id").period.min().rename("first")
    per = b[["account_id", "period"]].drop_duplicates().join(first, on="account_id")
    g = per.assign(r=per["first"] < per["period"]).groupby("period")["r"]
    return _finish(pd.DataFrame({"value": 100 * g.mean(), "n": g.size()}), ["period"], True)


def purchase_cohorts(frames: Frames, repeat_only: bool = False) -> pd.DataFrame:
    """First-purchase month cohorts: share buying in month k after (k = 0..24), or with a
    second purchase."""
    b = purchases(frames)
    t = pd.to_datetime(b.ordered_at)
    b = b.assign(m=t.dt.year * 12 + t.dt.month - 1)
    last = int(frames["orders"].ordered_at.dt.year.max() * 12) + int(
        frames["orders"].ordered_at.max().month - 1
    )
    first = b.groupby("account_id").m.min()
    counts = b.groupby("account_id").size()
    active = set(zip(b.account_id, b.m, strict=True))
    rows = []
    for cohort in sorted(first.unique()):
        members = first.index[first == cohort]
        start = date(int(cohort) // 12, int(cohort) % 12 + 1, 1)
        if repeat_only:
            value = 100 * (counts[members] >= 2).mean()
            rows.append({"period": start, "value": value, "n": len(members)})
            continue
        for k in range(25):
            if cohort + k > last:
                break
            hits = sum((a, cohort + k) in active for a in members)
            rows.append(
                {
                    "period": start,
                    "months_since_first_purchase": k,
                    "value": 100 * hits / len(members),
                    "n": len(members),
                }
            )
    return pd.DataFrame(rows)


def mrr_movement(frames: Frames, variant: str) -> pd.DataFrame:
    """Monthly churned / contraction / expansion revenue over last month's revenue."""
    inv = frames["invoices"]
    inv = inv[inv.status != "void"].assign(period=_month(inv.period_start))
    rev = inv.pivot_table(index="account_id", columns="period", values="amount", aggfunc="sum")
    rev = rev.fillna(0.0)
    rows = []
    for prev, cur in itertools.pairwise(sorted(rev.columns)):
        x, now = rev[prev], rev[cur]
        keep = x > 0
        x, now = x[keep], now[keep]
        if variant == "churned":
            part = x.where(now <= 0, 0.0)
        elif variant == "contraction":
            part = (x - now).where((now > 0) & (now < x), 0.0)
        else:
            part = (now - x).where(now > x, 0.0)
        rows.append({"period": cur, "value": 100 * part.sum() / x.sum(), "n": int(keep.sum())})
    return pd.DataFrame(rows)


FIRST_RESPONSE = {"urgent": 1.0, "high": 4.0, "normal": 8.0, "low": 24.0}
RESOLUTION = {"urgent": 8.0, "high": 24.0, "normal": 72.0, "low": 120.0}


def sla(frames: Frames, column: str, by_segment: bool, grain: bool) -> pd.DataFrame:
    """Tickets judged against their priority's target: answered/resolved (within or not), or
    still open past the target (a breach); closed without the timestamp are not judged."""
    t = _with_segment(frames["tickets"], frames).assign(period=lambda d: _month(d.opened_at))
    targets = FIRST_RESPONSE if column == "first_response_at" else RESOLUTION
    target = t.priority.map(targets)
    hours = (t[column] - t.opened_at).dt.total_seconds() / 3600
    waited = (pd.Timestamp.now("UTC").tz_localize(None) - t.opened_at).dt.total_seconds() / 3600
    open_ = ~t.status.isin(["resolved", "closed"])
    due = target.notna() & (t[column].notna() | (open_ & (waited > target)))
    ok = t[column].notna() & (hours <= target)
    t = t.assign(ok=ok.astype(float))[due]
    keys = _keys(by_segment, grain)
    g = _grouped(t, keys)["ok"]
    return _finish(pd.DataFrame({"value": 100 * g.mean(), "n": g.size()}), keys, grain)


def backlog(frames: Frames) -> pd.DataFrame:
    """Tickets open at each month end, by days since opening (0-1, 1-7, 7-30, 30+)."""
    every = frames["tickets"]
    last = max(every.opened_at.max(), every.resolved_at.max())
    rows = []
    for ps in _months(every.opened_at.min().date(), last.date()):
        pe = ps + pd.offsets.MonthBegin(1)
        open_ = (every.opened_at < pe) & (
            (every.resolved_at.isna() & ~every.status.isin(["resolved", "closed"]))
            | (every.resolved_at >= pe)
        )
        days = (pe - every.opened_at[open_]).dt.total_seconds() / 86400
        bucket = pd.cut(
            days, [-np.inf, 1, 7, 30, np.inf], right=False, labels=["0-1d", "1-7d", "7-30d", "30d+"]
        )
        for name, count in bucket.value_counts().items():
            rows.append(
                {"age": str(name), "period": ps.date(), "value": float(count), "n": int(count)}
            )
    out = pd.DataFrame(rows)
    # an age bucket is reported for every month once it appears in any month
    seen = out.groupby("age").value.sum()
    return out[out.age.isin(seen[seen > 0].index)]


def response_rate(frames: Frames, by: str | None, grain: bool) -> pd.DataFrame:
    """Answered invitations / invitations, by an invitations column or segment, monthly."""
    inv = _with_segment(frames["invitations"], frames)
    inv = inv.assign(period=_month(inv.invited_at), a=inv.answered.astype(float))
    keys = [*([by] if by else []), *(["period"] if grain else [])]
    g = _grouped(inv, keys)["a"]
    out = pd.DataFrame({"value": 100 * g.mean(), "n": g.size()}).reset_index()
    if not grain:
        out["period"] = None
    return out[[*([by] if by else []), "period", "value", "n"]]


def yes_no(frames: Frames, grain: bool) -> pd.DataFrame:
    """Share of yes among yes/no answers."""
    r = frames["responses"]
    r = r[r.kind == "yes_no"].assign(period=_month(r.responded_at))
    keys = ["period"] if grain else []
    g = _grouped(r, keys)["score"]
    return _finish(pd.DataFrame({"value": 100 * g.mean(), "n": g.size()}), keys, grain)


def reopen(frames: Frames, by_segment: bool, grain: bool) -> pd.DataFrame:
    """Resolved or closed tickets with reopen_count recorded: share reopened at least once."""
    t = _with_segment(frames["tickets"], frames)
    t = t[t.status.isin(["resolved", "closed"]) & t.reopen_count.notna()]
    t = t.assign(period=_month(t.opened_at), r=(t.reopen_count >= 1).astype(float))
    keys = _keys(by_segment, grain)
    g = _grouped(t, keys)["r"]
    return _finish(pd.DataFrame({"value": 100 * g.mean(), "n": g.size()}), keys, grain)


def activity_cohorts(frames: Frames) -> pd.DataFrame:
    """First-activity month cohorts of usage events: share active in month k after (0..24)."""
    u = frames["usage_events"]
    t = pd.to_datetime(u.occurred_at)
    u = u.assign(m=t.dt.year * 12 + t.dt.month - 1)
    last = int(u.m.max())
    first = u.groupby("account_id").m.min()
    active = set(zip(u.account_id, u.m, strict=True))
    rows = []
    for cohort in sorted(first.unique()):
        members = first.index[first == cohort]
        start = date(int(cohort) // 12, int(cohort) % 12 + 1, 1)
        for k in range(min(24, last - int(cohort)) + 1):
            hits = sum((a, cohort + k) in active for a in members)
            rows.append(
                {
                    "period": start,
                    "months_since_first_activity": k,
                    "value": 100 * hits / len(members),
                    "n": len(members),
                }
            )
    return pd.DataFrame(rows)
