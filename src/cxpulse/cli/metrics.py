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
from cxpulse.cli.i18n import Speaker, speaker, tr

if TYPE_CHECKING:
    from cxpulse.metrics import MetricComparison, MetricTable


class _DefaultShow(TyperGroup):
    """Route ``cxpulse metrics nps ...`` (no known subcommand) to ``show``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["show", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_DefaultShow,
    help=tr("cli.metrics.help"),
    no_args_is_help=True,
)

ByOption = Annotated[
    list[str] | None,
    typer.Option(
        "--by",
        "-b",
        help=tr("cli.metrics.by"),
    ),
]
GrainOption = Annotated[str, typer.Option("--grain", "-g", help=tr("cli.metrics.grain"))]
FromOption = Annotated[str | None, typer.Option("--from", help=tr("cli.metrics.from"))]
ToOption = Annotated[str | None, typer.Option("--to", help=tr("cli.metrics.to"))]
FormatOption = Annotated[str, typer.Option("--format", "-f", help=tr("cli.metrics.format"))]
LangOption = Annotated[str | None, typer.Option("--lang", help=tr("cli.option.lang"))]


def _dims(by: list[str] | None) -> list[str]:
    return [d.strip() for item in by or [] for d in item.split(",") if d.strip()]


def _number(x: Any, say: Speaker, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return say.num(x, digits)


def _digits(unit: str) -> int:
    return 3 if unit.startswith("per ") else 1 if unit in ("%", "score") else 2


def render_table(table: MetricTable, lang: str) -> Table:
    """A Rich table of metric values: value, n, interval, method, small-sample flag."""
    from cxpulse.metrics import get_definition

    say = Speaker(lang)
    rows = table.rows
    dims = list(dict.fromkeys(k for r in rows for k in r.group))
    has_period = any(r.period is not None for r in rows)
    has_bench = any("benchmark_nps" in r.extra for r in rows)
    out = Table(show_lines=False, header_style="bold")
    out.add_column(say("metrics.col.metric"))
    for d in dims:
        out.add_column(escape(d))
    if has_period:
        out.add_column(say("metrics.col.period"))
    for key in ("value", "n", "ci", "method", "small_sample"):
        out.add_column(say(f"metrics.col.{key}"), justify="right" if key != "method" else "left")
    if has_bench:
        out.add_column(say("metrics.col.benchmark"), justify="right")
    for r in rows:
        definition = get_definition(r.metric)
        dg = _digits(r.unit)
        unit = " %" if r.unit == "%" else ""
        cells = [definition.label(lang)]
        cells += ["-" if r.group.get(k) is None else escape(str(r.group[k])) for k in dims]
        if has_period:
            cells.append(r.period.isoformat() if r.period else "")
        cells += [
            _number(r.value, say, dg) + unit,
            say.count(r.n),
            f"[{_number(r.ci_low, say, dg)}; {_number(r.ci_high, say, dg)}]",
            escape(say.term("method", r.method)),
            say("metrics.small_sample.yes") if r.small_sample else "",
        ]
        if has_bench:
            b = r.extra.get("benchmark_nps")
            year = r.extra.get("benchmark_year")
            cells.append("" if b is None else f"{_number(b, say)} ({year})")
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


@app.command("show", help=tr("cli.metrics.show.help"))
def show(
    names: Annotated[list[str], typer.Argument(help=tr("cli.metrics.names"))],
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

    say = speaker(project, lang)
    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter(say("cli.metrics.bad_format"), param_hint="--format")
    with reported_errors(project, lang), Workspace.open(project) as ws:
        table = ws.metrics(names, by=_dims(by), grain=grain, start=start, end=end)
        if fmt != "table":
            typer.echo(_frame_text(table, fmt))
            return
        if not table.rows:
            console.print(say("metrics.cli.empty"))
            return
        console.print(render_table(table, say.lang))
        if any(r.small_sample for r in table.rows):
            console.print(say("metrics.cli.small_note", n=ws.config.metrics.small_sample_n))


@app.command("explain", help=tr("cli.metrics.explain.help"))
def explain(
    name: Annotated[str, typer.Argument(help=tr("cli.metrics.name"))],
    by: ByOption = None,
    grain: GrainOption = "none",
    start: FromOption = None,
    end: ToOption = None,
    project: ProjectOption = Path("."),
) -> None:
    """Print the SQL the engine runs for a metric (in the workspace's dialect)."""
    from cxpulse.workspace import Workspace

    with reported_errors(project), Workspace.open(project) as ws:
        typer.echo(ws.explain(name, by=_dims(by), grain=grain, start=start, end=end))


def _comparison_dict(c: MetricComparison) -> dict[str, Any]:
    out = {k: v for k, v in c.__dict__.items() if k != "group"}
    out.update(c.group)
    return {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in out.items()
    }


@app.command("compare", help=tr("cli.metrics.compare.help"))
def compare(
    name: Annotated[str, typer.Argument(help=tr("cli.metrics.name"))],
    period: Annotated[str, typer.Option("--period", help=tr("cli.metrics.period"))],
    vs: Annotated[str, typer.Option("--vs", help=tr("cli.metrics.vs"))],
    by: ByOption = None,
    fmt: FormatOption = "table",
    lang: LangOption = None,
    project: ProjectOption = Path("."),
) -> None:
    """Difference between two periods (per group), with interval, p-value and verdict."""
    from cxpulse.metrics import get_definition
    from cxpulse.workspace import Workspace

    say = speaker(project, lang)
    with reported_errors(project, lang), Workspace.open(project) as ws:
        rows: list[MetricComparison] = ws.compare(  # type: ignore[assignment]
            name, period=period, vs=vs, by=_dims(by)
        )
        if fmt == "json":
            typer.echo(json.dumps([_comparison_dict(c) for c in rows], default=str, indent=2))
            return
        if not rows:
            console.print(say("metrics.cli.empty"))
            return
        d = get_definition(name)
        dims = list(dict.fromkeys(k for c in rows for k in c.group))
        title = say("cli.metrics.compare_title", metric=d.label(say.lang), period=period, vs=vs)
        out = Table(title=title, header_style="bold")
        for col in dims:
            out.add_column(escape(col))
        for key in ("value_a", "value_b", "difference", "ci", "p_value", "verdict"):
            out.add_column(say(f"metrics.col.{key}", period=period, vs=vs), justify="right")
        for c in rows:
            verdict = "significant" if c.significant else "not_significant"
            out.add_row(
                *["-" if c.group.get(k) is None else escape(str(c.group[k])) for k in dims],
                _number(c.value_a, say, 2),
                _number(c.value_b, say, 2),
                _number(c.difference, say, 2),
                f"[{_number(c.ci_low, say, 2)}; {_number(c.ci_high, say, 2)}]",
                _number(c.p_value, say, 4),
                say(f"metrics.cli.{verdict}"),
            )
        console.print(out)


@app.command("list", help=tr("cli.metrics.list.help"))
def list_metrics(
    lang: LangOption = None,
    project: Annotated[
        Path | None, typer.Option("--project", "-p", envvar="CXPULSE_PROJECT", hidden=True)
    ] = None,
) -> None:
    """The metrics cxpulse computes, with their table, unit and method."""
    from cxpulse.metrics import list_definitions

    say = speaker(project, lang)
    out = Table(header_style="bold")
    for key in ("name", "metric", "table", "unit", "description"):
        out.add_column(say(f"metrics.col.{key}"), no_wrap=key == "name")
    for d in list_definitions():
        description = say(f"metrics.desc.{d.name}")
        out.add_row(
            d.name,
            d.label(say.lang),
            d.table,
            escape(say.term("unit", d.unit)),
            escape(description),
        )
    console.print(out)
