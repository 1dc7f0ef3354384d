"""The weekly digest: one e-mail per account owner and one for the team.

Each recipient reads it in their own language (their user's language, else the project's):
NPS, CSAT and CES of the last complete week with the change against the week before and
whether it is significant, accounts that turned red with their reasons, overdue cases and new
detractors. HTML with the NPS trend drawn as a PNG (Vega-Lite rendered by vl-convert) and a
plain-text part with the same content.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from html import escape
from typing import TYPE_CHECKING, Any, cast

from cxpulse.locale import gettext, term

if TYPE_CHECKING:
    from cxpulse.jobs.running import JobContext, JobResult
    from cxpulse.workspace import Workspace

METRICS = ("nps", "csat", "ces")
OPEN_CASE = ("resolved", "closed")


@dataclass(frozen=True)
class MetricLine:
    metric: str
    value: float | None
    n: int
    difference: float | None
    significant: bool | None
    small_sample: bool
    unit: str


@dataclass
class Digest:
    """What one recipient's digest says (owner None: the whole team's accounts)."""

    owner: str | None
    week: str
    start: dt.date
    end: dt.date
    metrics: list[MetricLine] = field(default_factory=list)
    red: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[dict[str, Any]] = field(default_factory=list)
    detractors: list[dict[str, Any]] = field(default_factory=list)
    trend: list[dict[str, Any]] = field(default_factory=list)


def last_week(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the last complete ISO week before ``as_of``."""
    monday = as_of - dt.timedelta(days=as_of.weekday())
    return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)


def _iso(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _group_ok(group: dict[str, Any], owner: str | None) -> bool:
    return owner is None or str(group.get("owner", "")).lower() == owner.lower()


def build_digest(
    ws: Workspace, store_url: str, as_of: dt.date, owner: str | None, lang: str
) -> Digest:
    """Compute the digest of the week before ``as_of`` for ``owner`` (None: everyone)."""
    from cxpulse.errors import CxpulseError
    from cxpulse.health import band_changes, explain_account

    start, end = last_week(as_of)
    digest = Digest(owner, _iso(start), start, end)
    by = ["owner"] if owner else None
    week = ws.metrics(list(METRICS), by=by, start=start, end=end)
    comparisons = {}
    for name in METRICS:
        try:
            for c in ws.compare(name, period=_iso(start), vs=_iso(start - dt.timedelta(days=7)),
                                by=by):  # fmt: skip
                if _group_ok(c.group, owner):
                    comparisons[name] = c
        except CxpulseError:
            continue
    for name in METRICS:
        row = next((r for r in week.rows if r.metric == name and _group_ok(r.group, owner)), None)
        cmp = comparisons.get(name)
        digest.metrics.append(
            MetricLine(
                metric=name,
                value=row.value if row and row.n else None,
                n=row.n if row else 0,
                difference=cmp.difference if cmp is not None and cmp.n_a and cmp.n_b else None,
                significant=cmp.significant if cmp is not None and cmp.n_a and cmp.n_b else None,
                small_sample=bool(row.small_sample) if row else True,
                unit=row.unit if row else "",
            )
        )
    trend = ws.metrics("nps", by=by, grain="week", start=start - dt.timedelta(days=49), end=end)
    digest.trend = [
        {"week": str(r.period), "nps": r.value, "low": r.ci_low, "high": r.ci_high, "n": r.n}
        for r in trend.rows
        if _group_ok(r.group, owner) and r.n
    ]
    accounts = ws.table("accounts")
    mine: set[str] | None = None
    if owner:
        ids = accounts.filter(accounts.owner.lower() == owner.lower()).account_id.execute()
        mine = set(ids.astype(str))
    try:
        changes = band_changes(ws, since=start)
    except CxpulseError:
        changes = []
    for bc in changes:
        if bc.to_band != "red" or (mine is not None and bc.account_id not in mine):
            continue
        if not (start <= _as_date(bc.at) <= end):
            continue
        try:
            why = explain_account(ws, bc.account_id, lang=lang)
            reasons = [d.label for d in sorted(why.drivers, key=lambda d: d.points) if d.points < 0]
        except CxpulseError:
            reasons = []
        digest.red.append(
            {"account_id": bc.account_id, "before": bc.score_before, "after": bc.score_after,
             "reasons": reasons[:3]}
        )  # fmt: skip
    r = ws.table("responses")
    cond = (r.kind == "nps") & (r.score <= 6)
    cond &= (r.responded_at.date() >= start) & (r.responded_at.date() <= end)
    detr = r.filter(cond)
    if mine is not None:
        detr = detr.filter(detr.account_id.isin(sorted(mine)) if mine else False)
    detr_rows = detr.order_by(detr.responded_at.desc()).limit(10)
    import pandas as pd

    frame = detr_rows.select("account_id", "score", "responded_at", "comment").execute()
    digest.detractors = [
        {"account_id": str(x.account_id), "score": int(x.score),
         "at": str(x.responded_at)[:16], "comment": None if pd.isna(x.comment) else str(x.comment)}
        for x in frame.itertuples(index=False)
    ]  # fmt: skip
    digest.overdue = _overdue(store_url, owner, as_of)
    return digest


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _overdue(store_url: str, owner: str | None, as_of: dt.date) -> list[dict[str, Any]]:
    from sqlalchemy import func, select

    from cxpulse import store

    now = dt.datetime.combine(as_of, dt.time(0), tzinfo=dt.UTC)
    with store.read_session(store_url) as s:
        q = select(store.Case).where(store.Case.due_at < now, store.Case.status.not_in(OPEN_CASE))
        if owner:
            q = q.where(func.lower(store.Case.owner) == owner.lower())
        cases = s.scalars(q.order_by(store.Case.due_at).limit(20)).all()
        return [
            {"id": c.id, "title": c.title, "account_id": c.account_id,
             "due_at": c.due_at.strftime("%Y-%m-%d %H:%M") if c.due_at else "",
             "priority": c.priority}
            for c in cases
        ]  # fmt: skip


# ---- rendering ---------------------------------------------------------------------------
def _value(line: MetricLine, lang: str) -> str:
    if line.value is None:
        return gettext("ops.digest.no_answers", lang)
    unit = "" if line.metric == "nps" else ("%" if line.unit in ("%", "percent") else "")
    return f"{line.value:.1f}{unit} (n={line.n})"


def _change(line: MetricLine, lang: str) -> str:
    if line.difference is None:
        return gettext("ops.digest.no_comparison", lang)
    key = "ops.digest.significant" if line.significant else "ops.digest.not_significant"
    return f"{line.difference:+.1f} ({gettext(key, lang)})"


def _metric_name(name: str, lang: str) -> str:
    return term("metric", name, lang) if term("metric", name, lang) != name else name.upper()


def render_text(d: Digest, lang: str) -> str:
    g = gettext
    out = [g("ops.digest.title", lang, week=d.week, start=d.start, end=d.end), ""]
    out.append(g("ops.digest.indicators", lang))
    for line in d.metrics:
        small = f" [{g('ops.digest.small_sample', lang)}]" if line.small_sample else ""
        out.append(
            f"  {_metric_name(line.metric, lang)}: {_value(line, lang)}; "
            f"{g('ops.digest.change', lang)} {_change(line, lang)}{small}"
        )
    for key, items, fmt in (
        ("ops.digest.red", d.red, lambda x: f"  {x['account_id']}: {x['before']:.0f} -> "
         f"{x['after']:.0f}. {'; '.join(x['reasons'])}"),
        ("ops.digest.overdue", d.overdue, lambda x: f"  #{x['id']} {x['title']} "
         f"({g('ops.digest.due', lang)} {x['due_at']})"),
        ("ops.digest.detractors", d.detractors, lambda x: f"  {x['account_id']}: {x['score']} "
         f"({x['at']}) {x['comment'] or ''}".rstrip()),
    ):  # fmt: skip
        out += ["", g(key, lang, n=len(items))]
        out += [fmt(x) for x in items] or [f"  {g('ops.digest.none', lang)}"]
    return "\n".join(out) + "\n"


def render_html(d: Digest, lang: str, chart_cid: str | None) -> str:
    g = gettext
    rows = "".join(
        f"<tr><td>{escape(_metric_name(m.metric, lang))}</td><td>{escape(_value(m, lang))}</td>"
        f"<td>{escape(_change(m, lang))}</td></tr>"
        for m in d.metrics
    )
    chart = (
        f'<p><img src="cid:{chart_cid[1:-1]}" alt="{escape(g("ops.digest.chart", lang))}" '
        'width="560"></p>'
        if chart_cid
        else ""
    )

    def section(key: str, items: list[dict[str, Any]], cells: list[str]) -> str:
        head = f"<h2>{escape(g(key, lang, n=len(items)))}</h2>"
        if not items:
            return head + f"<p>{escape(g('ops.digest.none', lang))}</p>"
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(_cell(x.get(c)))}</td>" for c in cells) + "</tr>"
            for x in items
        )
        return head + f"<table border='1' cellpadding='4'>{body}</table>"

    return (
        f"<html lang='{lang}'><body style='font-family:sans-serif'>"
        f"<h1>{escape(g('ops.digest.title', lang, week=d.week, start=d.start, end=d.end))}</h1>"
        f"<h2>{escape(g('ops.digest.indicators', lang))}</h2>"
        f"<table border='1' cellpadding='4'><tr><th>{escape(g('ops.digest.col.metric', lang))}"
        f"</th><th>{escape(g('ops.digest.col.week', lang))}</th>"
        f"<th>{escape(g('ops.digest.change', lang))}</th></tr>{rows}</table>{chart}"
        + section("ops.digest.red", d.red, ["account_id", "before", "after", "reasons"])
        + section("ops.digest.overdue", d.overdue, ["id", "title", "account_id", "due_at"])
        + section("ops.digest.detractors", d.detractors, ["account_id", "score", "at", "comment"])
        + "</body></html>"
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.0f}"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def trend_png(d: Digest, lang: str) -> bytes | None:
    """The weekly NPS with its interval as a PNG, or None when there is nothing to draw."""
    if not d.trend:
        return None
    import altair as alt
    import pandas as pd
    import vl_convert as vlc

    frame = pd.DataFrame(d.trend)
    base = alt.Chart(frame).encode(
        x=alt.X("week:T", title=gettext("ops.digest.col.week", lang),
                scale=alt.Scale(padding=12))
    )  # fmt: skip
    band = base.mark_errorbar().encode(y=alt.Y("low:Q", title="NPS"), y2="high:Q")
    line = base.mark_line(point=True).encode(y="nps:Q")
    chart = (band + line).properties(width=520, height=200, title=gettext("ops.digest.chart", lang))
    locale: Any = {"es": "es-ES", "en": "en-US"}.get(lang, "en-US")  # month names, decimals
    png = vlc.vegalite_to_png(
        chart.to_dict(), scale=1, format_locale=locale, time_format_locale=locale
    )
    return bytes(png)


def build_message(d: Digest, to: str, lang: str) -> EmailMessage:
    msg = EmailMessage()
    msg["To"] = to
    who = d.owner or gettext("ops.digest.team", lang)
    msg["Subject"] = gettext("ops.digest.subject", lang, week=d.week, who=who)
    msg.set_content(render_text(d, lang))
    png = trend_png(d, lang)
    cid = make_msgid(domain="cxpulse") if png else None
    msg.add_alternative(render_html(d, lang, cid), subtype="html")
    if png and cid:
        html_part = cast(EmailMessage, msg.get_payload()[1])  # type: ignore[index]
        html_part.add_related(png, maintype="image", subtype="png", cid=cid, filename="nps.png")
    return msg


def send_digests(ctx: JobContext) -> JobResult:
    """One digest per account owner with an e-mail address, and one per team member."""
    from cxpulse.jobs.notices import _users, language_of, send, team
    from cxpulse.jobs.running import JobResult

    ws = ctx.workspace
    as_of = ctx.slot.date()
    users = _users(ctx.store_url)
    default = ctx.config.locale.language
    owners = ws.table("accounts").owner.execute().dropna().astype(str)
    sent: list[str] = []
    for owner in sorted({o.strip() for o in owners if "@" in o}):
        lang = language_of(owner, users, default)
        send(build_message(build_digest(ws, ctx.store_url, as_of, owner, lang), owner, lang),
             ctx.settings)  # fmt: skip
        sent.append(owner)
    cache: dict[str, Digest] = {}
    for person in team(ctx):
        if person.language not in cache:
            cache[person.language] = build_digest(ws, ctx.store_url, as_of, None, person.language)
        send(build_message(cache[person.language], person.email, person.language), ctx.settings)
        sent.append(person.email)
    return JobResult(rows=len(sent), details={"sent": sent})
