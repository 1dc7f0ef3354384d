"""Vega-Lite chart specs (built with Altair) for the pages; vega-embed draws them.

Specs carry their data inline, so a page works offline and no request leaves the app.
Labels arrive already formatted for the user's language.

>>> spec = trend_spec([], "nps", "en")
>>> spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
True
"""

from __future__ import annotations

from datetime import date
from typing import Any

import altair as alt
import pandas as pd

from cxpulse.metrics.results import MetricValue
from cxpulse.web.i18n import format_date, translate

BRAND = "#3b4cca"
GOOD = "#16a34a"
BAD = "#dc2626"
WARN = "#d97706"
NEUTRAL = "#cbd5e1"
AXIS: dict[str, Any] = {
    "labelColor": "#6b7a90",
    "titleColor": "#6b7a90",
    "gridColor": "#eef1f6",
    "domainColor": "#e3e8ef",
    "tickColor": "#e3e8ef",
    "labelFont": "system-ui, sans-serif",
    "titleFont": "system-ui, sans-serif",
    "labelFontSize": 11,
    "titleFontSize": 11,
    "titleFontWeight": 600,
}
SCALES = {"nps": (-100, 100), "csat": (0, 100), "ces": (1, 7)}


def _finish(chart: alt.TopLevelMixin, height: int = 220) -> dict[str, Any]:
    spec: dict[str, Any] = (
        chart.properties(width="container", height=height)
        .configure_axis(**AXIS)
        .configure_view(stroke=None)
        .configure_legend(
            orient="top", labelColor="#4a5a70", title=None, symbolType="circle", labelFontSize=11
        )
        .to_dict(validate=False)
    )
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    spec["background"] = "transparent"
    return spec


def _domain(frame: pd.DataFrame, metric: str) -> list[float]:
    """The y range: the intervals plus a margin, clipped to the metric's possible range."""
    lo, hi = SCALES.get(metric, (0.0, 100.0))
    if frame.empty:
        return [float(lo), float(hi)]
    low, high = float(frame["low"].min()), float(frame["high"].max())
    pad = max(1.0, (high - low) * 0.1) if metric != "ces" else 0.2
    return [max(float(lo), low - pad), min(float(hi), high + pad)]


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_runs(periods: list[date | None]) -> tuple[list[date], list[int]]:
    """Every month from the first period to the last, and for each given period the number
    of the unbroken run it belongs to: a month with no data between two periods starts a new
    run, so lines and bands are drawn with a gap there instead of bridging it.

    >>> months, runs = month_runs([date(2026, 1, 1), date(2026, 2, 1), date(2026, 5, 1)])
    >>> len(months), runs
    (5, [0, 0, 1])
    """
    given = sorted(p for p in periods if p is not None)
    if not given:
        return [], []
    months: list[date] = []
    day = date(given[0].year, given[0].month, 1)
    while day <= given[-1]:
        months.append(day)
        day = _next_month(day)
    present = {date(p.year, p.month, 1) for p in given}
    run, runs, previous = 0, {}, None
    for m in months:
        if m in present:
            if previous is not None and _next_month(previous) != m:
                run += 1
            runs[m] = run
            previous = m
    return months, [runs[date(p.year, p.month, 1)] if p else 0 for p in periods]


def trend_spec(rows: list[MetricValue], metric: str, lang: str) -> dict[str, Any]:
    """Monthly values of one metric with the confidence interval as a band; months without
    answers show as gaps (the axis keeps them, the line breaks there)."""
    all_months, runs = month_runs([r.period for r in rows])
    frame = pd.DataFrame(
        [
            {
                "month": format_date(r.period, lang, "MMM yy"),
                "order": r.period.isoformat() if r.period else "",
                "value": round(r.value, 2),
                "low": round(r.ci_low, 2),
                "high": round(r.ci_high, 2),
                "n": r.n,
                "small": translate("web.chart.small_sample", lang) if r.small_sample else "",
                "run": run,
            }
            for r, run in zip(rows, runs, strict=True)
        ],
        columns=["month", "order", "value", "low", "high", "n", "small", "run"],
    )
    months = [format_date(m, lang, "MMM yy") for m in all_months] or frame["month"].tolist()
    value_title = translate(f"web.metric.{metric}.short", lang)
    x = alt.X(
        "month:O",
        sort=months,
        title=None,
        scale=alt.Scale(domain=months),
        axis=alt.Axis(labelAngle=0, labelOverlap="parity", labelSeparation=6),
    )
    scale = alt.Scale(domain=_domain(frame, metric), nice=True, zero=False)
    tooltip = [
        alt.Tooltip("month:O", title=translate("web.chart.month", lang)),
        alt.Tooltip("value:Q", title=value_title, format=".1f"),
        alt.Tooltip("low:Q", title=translate("web.chart.ci_low", lang), format=".1f"),
        alt.Tooltip("high:Q", title=translate("web.chart.ci_high", lang), format=".1f"),
        alt.Tooltip("n:Q", title="n", format=","),
    ]
    base = alt.Chart(frame).encode(x=x)
    band = base.mark_area(opacity=0.16, color=BRAND, interpolate="monotone").encode(
        y=alt.Y("low:Q", scale=scale, title=value_title), y2="high:Q", detail="run:N"
    )
    line = base.mark_line(color=BRAND, strokeWidth=2.2, interpolate="monotone").encode(
        y=alt.Y("value:Q", scale=scale), detail="run:N"
    )
    points = base.mark_point(filled=True, size=46, color=BRAND).encode(
        y=alt.Y("value:Q", scale=scale),
        shape=alt.condition(alt.datum.small != "", alt.value("triangle"), alt.value("circle")),
        opacity=alt.condition(alt.datum.small != "", alt.value(0.45), alt.value(1.0)),
        tooltip=tooltip,
    )
    return _finish(alt.layer(band, line, points))


def split_spec(rows: list[MetricValue], lang: str) -> dict[str, Any]:
    """Promoters / passives / detractors per month as 100 % stacked bars."""
    labels = {
        "pct_promoters": translate("web.nps.promoters", lang),
        "pct_passives": translate("web.nps.passives", lang),
        "pct_detractors": translate("web.nps.detractors", lang),
    }
    records = []
    for r in rows:
        for key, name in labels.items():
            records.append(
                {
                    "month": format_date(r.period, lang, "MMM yy"),
                    "group": name,
                    "rank": list(labels).index(key),
                    "share": round(float(r.extra.get(key, 0.0)), 1),
                }
            )
    frame = pd.DataFrame(records, columns=["month", "group", "rank", "share"])
    months = list(dict.fromkeys(frame["month"].tolist()))
    chart = (
        alt.Chart(frame)
        .mark_bar(cornerRadius=2)
        .encode(
            x=alt.X(
                "month:O",
                sort=months,
                title=None,
                axis=alt.Axis(labelAngle=0, labelOverlap="parity", labelSeparation=6),
            ),
            y=alt.Y("share:Q", stack="normalize", title=None, axis=alt.Axis(format="%")),
            color=alt.Color(
                "group:N",
                scale=alt.Scale(domain=list(labels.values()), range=[GOOD, NEUTRAL, BAD]),
                sort=list(labels.values()),
            ),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("month:O", title=translate("web.chart.month", lang)),
                alt.Tooltip("group:N", title=" "),
                alt.Tooltip("share:Q", title="%", format=".1f"),
            ],
        )
    )
    return _finish(chart, height=280)


def histogram_spec(
    bins: list[dict[str, Any]], lang: str, *, x_title: str, y_title: str
) -> dict[str, Any]:
    """Bars of pre-aggregated bins: ``[{"start": 0, "end": 10, "count": 12, "band": "red"}]``
    (bins split at the band cut-offs; entries of one bin with different bands are stacked)."""
    frame = pd.DataFrame(bins, columns=["start", "end", "count", "band"])
    # entries of one bin stacked by hand: bottom and top of each bar
    frame["top"] = frame.groupby(["start", "end"])["count"].cumsum()
    frame["bottom"] = frame["top"] - frame["count"]
    chart = (
        alt.Chart(frame)
        .mark_bar(cornerRadiusTopLeft=3, cornerRadiusTopRight=3, stroke="#ffffff", strokeWidth=2)
        .encode(
            x=alt.X(
                "start:Q",
                title=x_title,
                scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(values=list(range(0, 101, 10)), labelAngle=0),
            ),
            x2="end:Q",
            y=alt.Y("top:Q", title=y_title),
            y2="bottom:Q",
            color=alt.Color(
                "band:N",
                scale=alt.Scale(domain=["red", "yellow", "green"], range=[BAD, WARN, GOOD]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("start:Q", title=x_title),
                alt.Tooltip("end:Q", title=" "),
                alt.Tooltip("count:Q", title=y_title),
            ],
        )
    )
    return _finish(chart, height=200)


def score_history_spec(points: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """An account's score over time with the band thresholds as shaded areas.

    ``points``: ``[{"date": "2026-09-01", "score": 63.2, "band": "yellow"}]``; thresholds
    come as ``{"red": 40, "green": 70}`` in the first point's ``thresholds`` key, if any.
    """
    frame = pd.DataFrame(
        [
            {
                "date": str(p["date"])[:10],
                "score": round(float(p["score"]), 1),
                "band": p.get("band", ""),
            }
            for p in points
        ],
        columns=["date", "score", "band"],
    )
    title = translate("web.health.score", lang)
    line = (
        alt.Chart(frame)
        .mark_line(color=BRAND, strokeWidth=2.2, point=alt.OverlayMarkDef(color=BRAND, size=40))
        .encode(
            x=alt.X(
                "date:T",
                title=None,
                axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount="month", grid=False),
            ),
            y=alt.Y("score:Q", scale=alt.Scale(domain=[0, 100]), title=title),
            tooltip=[
                alt.Tooltip("date:T", title=" ", format="%Y-%m-%d"),
                alt.Tooltip("score:Q", title=title, format=".1f"),
                alt.Tooltip("band:N", title=" "),
            ],
        )
    )
    return _finish(line, height=200)


def theme_trend_spec(trend: pd.DataFrame, names: list[str], lang: str) -> dict[str, Any]:
    """Monthly share of the comments that fall in each of ``names`` (months without comments
    are gaps, as in :func:`trend_spec`)."""
    frame = trend[trend["name"].isin(names)].copy()
    all_months, runs = month_runs(list(frame["month"]))
    frame["run"] = runs
    frame["label"] = [format_date(m, lang, "MMM yy") for m in frame["month"]]
    frame["share"] = frame["share"].astype(float).round(4)
    months = [format_date(m, lang, "MMM yy") for m in all_months]
    chart = (
        alt.Chart(frame[["label", "name", "share", "n", "run"]])
        .mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=28))
        .encode(
            x=alt.X(
                "label:O",
                sort=months,
                scale=alt.Scale(domain=months),
                title=None,
                axis=alt.Axis(labelAngle=0, labelOverlap="parity", labelSeparation=6),
            ),
            y=alt.Y("share:Q", title=None, axis=alt.Axis(format="%")),
            # five theme names in one row overflowed a phone (the last ones cut off)
            color=alt.Color(
                "name:N",
                sort=names,
                title=None,
                legend=alt.Legend(columns=2, labelLimit=160, orient="top"),
            ),
            detail="run:N",
            tooltip=[
                alt.Tooltip("label:O", title=translate("web.chart.month", lang)),
                alt.Tooltip("name:N", title=" "),
                alt.Tooltip("share:Q", title="%", format=".1%"),
                alt.Tooltip("n:Q", title="n"),
            ],
        )
    )
    return _finish(chart, height=240)
