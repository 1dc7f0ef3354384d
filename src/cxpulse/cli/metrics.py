"""``cxpulse metrics``: indicators with intervals, their SQL, and period comparisons.

``cxpulse metrics nps csat --by segment --grain month`` is short for ``cxpulse metrics show``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from cxpulse.cli.common import ProjectOption, console, reported_errors
from cxpulse.locale import gettext

if TYPE_CHECKING:
    from cxpulse.metrics import MetricComparison, MetricTable
    from cxpulse.workspace import Workspace


class _DefaultShow(TyperGroup):
    """Route ``cxpulse metrics nps ...`` (no known subcommand) to ``show``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["show", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_DefaultShow,
    help="Customer indicators with n, confidence interval and method "
    "(NPS, CSAT, CES, churn, GRR/NRR, tickets...). "
    "Shortcut: 'cxpulse metrics nps csat --by segment' = 'cxpulse metrics show nps csat ...'.",
    no_args_is_help=True,
)

ByOption = Annotated[
    list[str] | None,
    typer.Option(
        "--by",
        "-b",
        help="Split by a column of accounts or of the metric's table (repeatable, "
        "or comma-separated).",
    ),
]
GrainOption = Annotated[
    str, typer.Option("--grain", "-g", help="none, day, week, month, quarter or year.")
]
FromOption = Annotated[str | None, typer.Option("--from", help="First day included (YYYY-MM-DD).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last day included (YYYY-MM-DD).")]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]
LangOption = Annotated[
    str | None, typer.Option("--lang", help="es or en (default: the project's locale).")
]


def _dims(by: list[str] | None) -> list[str]:
    return [d.strip() for item in by or [] for d in item.split(",") if d.strip()]


def _language(ws: Workspace | None, lang: str | None) -> str:
    if lang in ("es", "en"):
        return lang
    return ws.config.locale.language if ws is not None else "es"


def _number(x: Any, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:,.{digits}f}"


def _digits(unit: str) -> int:
    return 3 if unit.startswith("per ") else 1 if unit in ("%", "score") else 2


def render_table(table: MetricTable, lang: str) -> Table:
    """A Rich table of metric values: value, n, interval, method, small-sample flag."""
    from cxpulse.metrics import get_definition

    rows = table.rows
    dims = list(dict.fromkeys(k for r in rows for k in r.group))
    has_period = any(r.period is not None for r in rows)
    has_bench = any("benchmark_nps" in r.extra for r in rows)
    out = Table(show_lines=False, header_style="bold")
    out.add_column(gettext("metrics.col.metric", lang))
    for d in dims:
        out.add_column(escape(d))
    if has_period:
        out.add_column(gettext("metrics.col.period", lang))
    for key in ("value", "n", "ci", "method", "small_sample"):
        out.add_column(
            gettext(f"metrics.col.{key}", lang), justify="right" if key != "method" else "left"
        )
    if has_bench:
        out.add_column(gettext("metrics.col.benchmark", lang), justify="right")
    for r in rows:
        definition = get_definition(r.metric)
        dg = _digits(r.unit)
        unit = " %" if r.unit == "%" else ""
        cells = [definition.label(lang)]
        cells += ["-" if r.group.get(k) is None else escape(str(r.group[k])) for k in dims]
        if has_period:
            cells.append(r.period.isoformat() if r.period else "")
        cells += [
            _number(r.value, dg) + unit,
            f"{r.n:,}",
            f"[{_number(r.ci_low, dg)}, {_number(r.ci_high, dg)}]",
            escape(r.method),
            gettext("metrics.small_sample.yes", lang) if r.small_sample else "",
        ]
        if has_bench:
            b = r.extra.get("benchmark_nps")
            cells.append("" if b is None else f"{_number(b)} ({r.extra.get('benchmark_year')})")
        out.add_row(*cells)
    return out


def _frame_text(table: MetricTable, fmt: str) -> str:
    frame = table.to_pandas()
    if "period" in frame:
        frame["period"] = frame["period"].map(lambda p: p.isoformat() if p else None)
    if fmt == "csv":
        return str(frame.to_csv(index=False))
    records = json.loads(frame.to_json(orient="records", force_ascii=False))
    return json.dumps(records, ensure_ascii=False, indent=2)


@app.command("show")
def show(
    names: Annotated[list[str], typer.Argument(help="Metric names, e.g. nps csat ces.")],
    by: ByOption = None,
    grain: GrainOption = "none",
    start: FromOption = None,
    end: ToOption = None,
    fmt: FormatOption = "table",
    lang: LangOption = None,
    project: ProjectOption = Path("."),
) -> None:
    """Indicators with value, n, confidence interval, method and small-sample flag."""
    from cxpulse.workspace import Workspace

    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter("use table, csv or json", param_hint="--format")
    with reported_errors(), Workspace.open(project) as ws:
        table = ws.metrics(names, by=_dims(by), grain=grain, start=start, end=end)
        language = _language(ws, lang)
        if fmt != "table":
            typer.echo(_frame_text(table, fmt))
            return
        if not table.rows:
            console.print(gettext("metrics.cli.empty", language))
            return
        console.print(render_table(table, language))
        if any(r.small_sample for r in table.rows):
            console.print(
                gettext("metrics.cli.small_note", language, n=ws.config.metrics.small_sample_n)
            )


@app.command("explain")
def explain(
    name: Annotated[str, typer.Argument(help="Metric name, e.g. nps.")],
    by: ByOption = None,
    grain: GrainOption = "none",
    start: FromOption = None,
    end: ToOption = None,
    project: ProjectOption = Path("."),
) -> None:
    """Print the SQL the engine runs for a metric (in the workspace's dialect)."""
    from cxpulse.workspace import Workspace

    with reported_errors(), Workspace.open(project) as ws:
        typer.echo(ws.explain(name, by=_dims(by), grain=grain, start=start, end=end))


def _comparison_dict(c: MetricComparison) -> dict[str, Any]:
    out = {k: v for k, v in c.__dict__.items() if k != "group"}
    out.update(c.group)
    return {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in out.items()
    }


@app.command("compare")
def compare(
    name: Annotated[str, typer.Argument(help="Metric name, e.g. nps.")],
    period: Annotated[str, typer.Option("--period", help="e.g. 2026-09, 2026-Q3.")],
    vs: Annotated[str, typer.Option("--vs", help="Reference period, e.g. 2026-08.")],
    by: ByOption = None,
    fmt: FormatOption = "table",
    lang: LangOption = None,
    project: ProjectOption = Path("."),
) -> None:
    """Difference between two periods (per group), with interval, p-value and verdict."""
    from cxpulse.metrics import get_definition
    from cxpulse.workspace import Workspace

    with reported_errors(), Workspace.open(project) as ws:
        rows: list[MetricComparison] = ws.compare(  # type: ignore[assignment]
            name, period=period, vs=vs, by=_dims(by)
        )
        language = _language(ws, lang)
        if fmt == "json":
            typer.echo(json.dumps([_comparison_dict(c) for c in rows], default=str, indent=2))
            return
        if not rows:
            console.print(gettext("metrics.cli.empty", language))
            return
        d = get_definition(name)
        dims = list(dict.fromkeys(k for c in rows for k in c.group))
        out = Table(title=f"{d.label(language)}: {period} vs {vs}", header_style="bold")
        for col in dims:
            out.add_column(escape(col))
        for key in ("value_a", "value_b", "difference", "ci", "p_value", "verdict"):
            out.add_column(
                gettext(f"metrics.col.{key}", language, period=period, vs=vs), justify="right"
            )
        for c in rows:
            verdict = "significant" if c.significant else "not_significant"
            out.add_row(
                *["-" if c.group.get(k) is None else escape(str(c.group[k])) for k in dims],
                _number(c.value_a, 2),
                _number(c.value_b, 2),
                _number(c.difference, 2),
                f"[{_number(c.ci_low, 2)}, {_number(c.ci_high, 2)}]",
                _number(c.p_value, 4),
                gettext(f"metrics.cli.{verdict}", language),
            )
        console.print(out)


@app.command("list")
def list_metrics(
    lang: LangOption = None,
    project: Annotated[
        Path | None, typer.Option("--project", "-p", envvar="CXPULSE_PROJECT", hidden=True)
    ] = None,
) -> None:
    """The metrics cxpulse computes, with their table, unit and method."""
    from cxpulse.metrics import list_definitions

    language = lang if lang in ("es", "en") else "es"
    out = Table(header_style="bold")
    for key in ("name", "metric", "table", "unit", "description"):
        out.add_column(gettext(f"metrics.col.{key}", language), no_wrap=key == "name")
    for d in list_definitions():
        description = gettext(f"metrics.desc.{d.name}", language)
        out.add_row(d.name, d.label(language), d.table, d.unit, escape(description))
    console.print(out)
