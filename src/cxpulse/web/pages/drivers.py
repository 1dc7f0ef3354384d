"""The key-drivers page: which ratings drive the outcome set in ``[metrics.drivers]``, with
intervals, and the importance-versus-performance quadrant."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cxpulse.errors import CxpulseError
from cxpulse.locale import term
from cxpulse.web.deps import ContextDep, Lang
from cxpulse.web.i18n import translate
from cxpulse.web.templating import render

router = APIRouter(include_in_schema=False)

QUADRANT_COLORS = {
    "fix_first": "#dc2626",
    "keep_up": "#16a34a",
    "overkill": "#d97706",
    "low_priority": "#94a3b8",
}


def load_drivers(ctx: Any) -> Any:
    """The configured analysis (cached per data version), or None when none is configured."""
    from cxpulse.metrics.drivers import table_drivers

    cfg = ctx.config.metrics.drivers
    if cfg is None:
        return None
    return ctx.cached(
        ("drivers", cfg.model_dump_json()),
        lambda: table_drivers(
            ctx.workspace,
            cfg.table,
            cfg.outcome,
            cfg.columns,
            success=cfg.success or None,
            missing_values=cfg.missing_values,
        ),
    )


# Label placement: each point's label goes to the first of these spots (dx, dy, align,
# baseline) where it overlaps no other label, no point and stays inside the plot, checked at
# the narrowest and the widest plot the page draws (labels keep their pixel offsets while
# points spread with the width, so both ends are checked). Points whose label fits nowhere
# keep their rank number only; the table under the chart lists every driver by rank.
SPOTS = (
    (8, 0, "left", "middle"),
    (-8, 0, "right", "middle"),
    (0, -9, "center", "bottom"),
    (0, 9, "center", "top"),
    (7, -7, "left", "bottom"),
    (-7, -7, "right", "bottom"),
    (7, 7, "left", "top"),
    (-7, 7, "right", "top"),
)
PLOT_WIDTHS = (250.0, 1150.0)  # plot area on a 390 px phone and on a 1366 px screen
PLOT_HEIGHT = 300.0
CHAR_PX = 5.6  # average width of a 10 px label character
POINT_R = 5.0


def _box(x: float, y: float, text: str, spot: tuple[int, int, str, str]) -> tuple[float, ...]:
    dx, dy, align, baseline = spot
    w, h = CHAR_PX * len(text) + 2, 11.0
    left = x + dx - (w if align == "right" else w / 2 if align == "center" else 0)
    top = y + dy - (h if baseline == "bottom" else h / 2 if baseline == "middle" else 0)
    return (left, top, left + w, top + h)


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(
    xs: list[float],
    ys: list[float],
    texts: list[list[str]],
    x_max: float,
    y_range: tuple[float, float],
) -> list[tuple[str, int]]:
    """For each point (most important first), the first of its texts (the name, then the rank)
    that fits a spot of :data:`SPOTS` colliding with nothing at any plot width: the text and
    the spot's index, or ``("", -1)`` when nothing fits."""
    y_lo, y_hi = y_range

    def pixels(k: int, width: float) -> tuple[float, float]:
        px = xs[k] / x_max * width
        py = PLOT_HEIGHT - (ys[k] - y_lo) / (y_hi - y_lo) * PLOT_HEIGHT
        return px, py

    dots = {w: [pixels(k, w) for k in range(len(xs))] for w in PLOT_WIDTHS}
    placed: dict[float, list[tuple[float, ...]]] = {w: [] for w in PLOT_WIDTHS}

    def fits(i: int, text: str, spot: tuple[int, int, str, str]) -> bool:
        for width in PLOT_WIDTHS:
            box = _box(*pixels(i, width), text, spot)
            if box[0] < 0 or box[2] > width or box[1] < 0 or box[3] > PLOT_HEIGHT:
                return False
            marks = [(a - POINT_R, b - POINT_R, a + POINT_R, b + POINT_R) for a, b in dots[width]]
            if any(_overlaps(box, other) for other in [*marks, *placed[width]]):
                return False
        return True

    chosen: list[tuple[str, int]] = []
    for i, options in enumerate(texts):
        found = next(
            ((text, n) for text in options for n, spot in enumerate(SPOTS) if fits(i, text, spot)),
            ("", -1),
        )
        chosen.append(found)
        if found[1] >= 0:
            for width in PLOT_WIDTHS:
                placed[width].append(_box(*pixels(i, width), found[0], SPOTS[found[1]]))
    return chosen


def quadrant_spec(analysis: Any, lang: str) -> dict[str, Any]:
    """Vega-Lite scatter: importance (share of R^2) against performance, with the averages.

    Labels are placed where they overlap nothing (:func:`place_labels`); a driver whose name
    fits nowhere is labelled with its rank, as in the table below the chart.
    """
    import math

    import altair as alt
    import pandas as pd

    from cxpulse.web.charts import _finish

    drivers = analysis.drivers  # most important first
    shares = [round(d.share, 2) for d in drivers]
    perf = [round(d.performance, 3) for d in drivers]
    x_max = max(5.0, math.ceil(max(shares) * 1.12 / 5) * 5)
    pad = max(0.05, (max(perf) - min(perf)) * 0.08)
    y_range = (min(perf) - pad, max(perf) + pad)
    texts = [[f"{d.rank}. {d.driver}", str(d.rank)] for d in drivers]
    placement = place_labels(shares, perf, texts, x_max, y_range)
    frame = pd.DataFrame(
        {
            "driver": [d.driver for d in drivers],
            "rank": [d.rank for d in drivers],
            "share": shares,
            "performance": perf,
            "quadrant": [
                translate(f"metrics.drivers.quadrant_short.{d.quadrant}", lang) for d in drivers
            ],
            "label": [text for text, _ in placement],
            "spot": [spot for _, spot in placement],
        }
    )
    x_title = translate("metrics.drivers.col.share", lang) + " (%)"
    y_title = translate("metrics.drivers.col.performance", lang)
    colors = alt.Scale(
        domain=[translate(f"metrics.drivers.quadrant_short.{k}", lang) for k in QUADRANT_COLORS],
        range=list(QUADRANT_COLORS.values()),
    )
    x_scale = alt.Scale(domain=[0, x_max], nice=False, zero=False)
    y_scale = alt.Scale(domain=[round(y_range[0], 3), round(y_range[1], 3)], nice=False, zero=False)
    x = alt.X("share:Q", title=x_title, scale=x_scale)
    y = alt.Y("performance:Q", title=y_title, scale=y_scale)
    base = alt.Chart(frame)
    points = base.mark_circle(size=90, opacity=0.85).encode(
        x=x,
        y=y,
        color=alt.Color(
            "quadrant:N", scale=colors, title=None, legend=alt.Legend(orient="top", columns=2)
        ),
        tooltip=["rank", "driver", "share", "performance", "quadrant"],
    )
    layers: list[Any] = []
    for n, (dx, dy, align, baseline) in enumerate(SPOTS):
        text_style: dict[str, Any] = {"align": align, "baseline": baseline, "dx": dx, "dy": dy}
        text_style.update(fontSize=10, color="#4a5a70")
        layers.append(
            base.transform_filter(alt.datum.spot == n)
            .mark_text(**text_style)
            .encode(x=x, y=y, text="label:N")
        )
    mean_x = (
        alt.Chart(pd.DataFrame({"v": [frame.share.mean()]}))
        .mark_rule(strokeDash=[4, 4], color="#94a3b8")
        .encode(x=alt.X("v:Q", scale=x_scale))
    )
    mean_y = (
        alt.Chart(pd.DataFrame({"v": [frame.performance.mean()]}))
        .mark_rule(strokeDash=[4, 4], color="#94a3b8")
        .encode(y=alt.Y("v:Q", scale=y_scale))
    )
    return _finish(alt.layer(mean_x, mean_y, points, *layers), height=int(PLOT_HEIGHT))


@router.get("/drivers", response_class=HTMLResponse)
def drivers_page(request: Request, ctx: ContextDep, lang: Lang) -> HTMLResponse:
    error = None
    try:
        analysis = load_drivers(ctx)
    except CxpulseError as exc:
        analysis, error = None, exc.message_in(lang)
    spec = quadrant_spec(analysis, lang) if analysis is not None else None
    level = f"{100 * analysis.confidence:g}" if analysis is not None else ""
    method = term("method", analysis.method, lang) if analysis is not None else ""
    return render(
        request,
        "drivers.html",
        analysis=analysis,
        spec=spec,
        error=error,
        level=level,
        method=method,
        config=ctx.config.metrics.drivers,
    )
