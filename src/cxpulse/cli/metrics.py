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
from cxpulse.cli.i18n import tr
from cxpulse.locale import dimension_label, format_number, gettext, term

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

# The language of the command being run (set by _language), for the numbers it writes.
_OUTPUT = {"lang": ""}


def _check_format(fmt: str) -> None:
    """Refuse an output format the metrics commands do not write (table, csv or json)."""
    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter(tr("cli.metrics.bad_format"), param_hint="--format")


def _dims(by: list[str] | None) -> list[str]:
    return [d.strip() for item in by or [] for d in item.split(",") if d.strip()]


def _language(ws: Workspace | None, lang: str | None) -> str:
    """--lang, else CXPULSE_LANG, the project's language, LANG, es (see cli.i18n)."""
    from cxpulse.cli.i18n import cli_language

    folder = ws.config.project_dir if ws is not None else None
    _OUTPUT["lang"] = cli_language(folder, lang)
    return _OUTPUT["lang"]


def _lang_now() -> str:
    from cxpulse.cli.i18n import cli_language

    return _OUTPUT["lang"] or cli_language()


def _number(x: Any, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return format_number(x, _lang_now(), digits)


def _count(n: int) -> str:
    return format_number(n, _lang_now(), 0)


def _digits(unit: str) -> int:
    return 3 if unit.startswith("per ") else 1 if unit in ("%", "score") else 2


def interval_text(low: float, high: float, digits: int) -> str:
    """``[low; high]`` in the output's language with enough decimals that a real interval
    never prints as a point (Spanish: decimal comma and ``;`` between the ends).

    >>> _OUTPUT["lang"] = "es"
    >>> interval_text(4.1012, 4.1389, 1), interval_text(4.1, 4.1, 1)
    ('[4,10; 4,14]', '[4,1; 4,1]')
    >>> _OUTPUT["lang"] = "en"
    >>> interval_text(4.1012, 4.1389, 1)
    '[4.10, 4.14]'
    >>> _OUTPUT["lang"] = ""
    """
    while (
        digits < 6
        and all(isinstance(x, float) and math.isfinite(x) for x in (low, high))
        and low != high
        and _number(low, digits) == _number(high, digits)
    ):
        digits += 1
    sep = "; " if _lang_now() == "es" else ", "  # the Spanish decimal mark is a comma
    return f"[{_number(low, digits)}{sep}{_number(high, digits)}]"


def level_text(confidence: float) -> str:
    """95, 90, 99,5: the confidence level as a percent without useless decimals."""
    level = 100 * confidence
    return _number(level, 0 if float(level).is_integer() else 1)


def render_table(table: MetricTable, lang: str, options: Any = None) -> Table:
    """A Rich table of metric values: value, n, interval, method, small-sample flag."""
    from cxpulse.metrics.custom import resolve

    rows = table.rows
    dims = list(dict.fromkeys(k for r in rows for k in r.group))
    has_period = any(r.period is not None for r in rows)
    has_bench = any("benchmark_nps" in r.extra for r in rows)
    out = Table(show_lines=False, header_style="bold")
    out.add_column(gettext("metrics.col.metric", lang))
    for d in dims:
        out.add_column(escape(dimension_label(d, lang)))
    if has_period:
        out.add_column(gettext("metrics.col.period", lang))
    levels = sorted({r.confidence for r in rows}) or [0.95]
    for key in ("value", "n", "ci", "method", "small_sample"):
        out.add_column(
            gettext(f"metrics.col.{key}", lang, level=" / ".join(level_text(c) for c in levels)),
            justify="right" if key != "method" else "left",
        )
    if has_bench:
        out.add_column(gettext("metrics.col.benchmark", lang), justify="right")
    for r in rows:
        definition = resolve(options, r.metric)
        dg = _digits(r.unit)
        unit = " %" if r.unit == "%" else ""
        cells = [definition.label(lang, options)]
        cells += ["-" if r.group.get(k) is None else escape(str(r.group[k])) for k in dims]
        if has_period:
            cells.append(r.period.isoformat() if r.period else "")
        cells += [
            _number(r.value, dg) + unit,
            _count(r.n),
            interval_text(r.ci_low, r.ci_high, dg),
            escape(term("method", r.method, lang)),
            gettext("metrics.small_sample.yes", lang) if r.small_sample else "",
        ]
        if has_bench:
            b = r.extra.get("benchmark_nps")
            cells.append("" if b is None else f"{_number(b)} ({r.extra.get('benchmark_year')})")
        out.add_row(*cells)
    return out


def _frame_text(table: MetricTable, fmt: str) -> str:
    records = table.to_records()
    if fmt == "csv":
        import csv
        import io

        from cxpulse.export_cells import safe_cell

        buffer = io.StringIO()
        keys = list(records[0]) if records else ["metric", "period", "value", "n"]
        writer = csv.DictWriter(buffer, fieldnames=keys, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in records)
        return buffer.getvalue()
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

    _check_format(fmt)
    with reported_errors(project, lang), Workspace.open(project) as ws:
        table = ws.metrics(names, by=_dims(by), grain=grain, start=start, end=end)
        language = _language(ws, lang)
        if fmt != "table":
            typer.echo(_frame_text(table, fmt))
            return
        if not table.rows:
            console.print(gettext("metrics.cli.empty", language))
            return
        console.print(render_table(table, language, ws.config.metrics))
        if any(r.small_sample for r in table.rows):
            console.print(
                gettext("metrics.cli.small_note", language, n=ws.config.metrics.small_sample_n)
            )


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

    with reported_errors(), Workspace.open(project) as ws:
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
    from cxpulse.metrics.custom import resolve
    from cxpulse.workspace import Workspace

    with reported_errors(project, lang), Workspace.open(project) as ws:
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
        d = resolve(ws.config.metrics, name)
        dims = list(dict.fromkeys(k for c in rows for k in c.group))
        title = gettext(
            "cli.metrics.compare_title",
            language,
            metric=d.label(language, ws.config.metrics),
            period=period,
            vs=vs,
        )
        out = Table(title=title, header_style="bold")
        for col in dims:
            out.add_column(escape(dimension_label(col, language)))
        level = level_text(ws.config.metrics.confidence)
        keys = ("value_a", "value_b", "difference", "ci", "p_value", "verdict", "small", "test")
        for key in keys:
            out.add_column(
                gettext(f"metrics.col.{key}", language, period=period, vs=vs, level=level),
                justify="left" if key == "test" else "right",
            )
        yes, no = (gettext(f"metrics.small_sample.{k}", language) for k in ("yes", "no"))
        for c in rows:
            verdict = "significant" if c.significant else "not_significant"
            small = f"{yes if c.small_sample_a else no} / {yes if c.small_sample_b else no}"
            out.add_row(
                *["-" if c.group.get(k) is None else escape(str(c.group[k])) for k in dims],
                _number(c.value_a, 2),
                _number(c.value_b, 2),
                _number(c.difference, 2),
                interval_text(c.ci_low, c.ci_high, 2),
                _number(c.p_value, 4),
                gettext(f"metrics.cli.{verdict}", language),
                small,
                escape(term("method", c.method, language)),
            )
        console.print(out)
        if any(c.small_sample_a or c.small_sample_b for c in rows):
            console.print(
                gettext("metrics.cli.small_note", language, n=ws.config.metrics.small_sample_n)
            )


def _project_options(project: Path | None, lang: str | None) -> tuple[Any, str]:
    """The project's metric options and language, when a project folder is given or current."""
    folder = project if project is not None else Path(".")
    if (folder / "cxpulse.toml").exists():
        from cxpulse.config import load_config

        config = load_config(folder)
        return config.metrics, _language_of(folder, lang)
    return None, _language_of(None, lang)


def _language_of(folder: Path | None, lang: str | None) -> str:
    from cxpulse.cli.i18n import cli_language

    _OUTPUT["lang"] = cli_language(folder, lang)
    return _OUTPUT["lang"]


@app.command("describe", help=tr("cli.metrics.describe.help"))
def describe_metric(
    names: Annotated[
        list[str] | None, typer.Argument(help=tr("metrics.cli.describe.names"), show_default=False)
    ] = None,
    every: Annotated[bool, typer.Option("--all", help=tr("metrics.cli.describe.all"))] = False,
    lang: LangOption = None,
    project: Annotated[
        Path | None, typer.Option("--project", "-p", envvar="CXPULSE_PROJECT", hidden=True)
    ] = None,
) -> None:
    """Print the reference of a metric: definition, edge cases, statistic, interval, example."""
    from cxpulse.metrics.custom import all_definitions
    from cxpulse.metrics.reference import describe

    with reported_errors(project, lang):
        options, language = _project_options(project, lang)
        chosen = [d.name for d in all_definitions(options)] if every else list(names or [])
        if not chosen:
            raise typer.BadParameter(tr("metrics.cli.describe.none"), param_hint="NAME")
        texts = [describe(name, language, options) for name in chosen]
        typer.echo("\n".join(texts), nl=False)


@app.command("drivers", help=tr("cli.metrics.drivers.help"))
def drivers(
    outcome: Annotated[str, typer.Option("--outcome", help=tr("metrics.cli.drivers.outcome"))],
    columns: Annotated[
        list[str], typer.Option("--drivers", "-d", help=tr("metrics.cli.drivers.drivers"))
    ],
    file: Annotated[
        Path | None, typer.Option("--file", help=tr("metrics.cli.drivers.file"))
    ] = None,
    table_name: Annotated[
        str | None, typer.Option("--table", help=tr("metrics.cli.drivers.table"))
    ] = None,
    success: Annotated[
        list[str] | None, typer.Option("--success", help=tr("metrics.cli.drivers.success"))
    ] = None,
    missing: Annotated[
        list[float] | None, typer.Option("--missing", help=tr("metrics.cli.drivers.missing"))
    ] = None,
    boot: Annotated[int, typer.Option("--boot", help=tr("metrics.cli.drivers.boot"))] = 200,
    fmt: FormatOption = "table",
    lang: LangOption = None,
    project: ProjectOption = Path("."),
) -> None:
    """Key drivers: relative importance of ratings for an outcome, with intervals."""
    from cxpulse.metrics.drivers import key_drivers, table_drivers
    from cxpulse.workspace import Workspace

    names = _dims(columns)
    with reported_errors(project, lang):
        options, language = _project_options(project, lang)
        confidence = options.confidence if options is not None else 0.95
        settings: dict[str, Any] = {
            "success": success or None,
            "missing_values": missing or (),
            "n_boot": boot,
            "confidence": confidence,
        }
        if file is not None:
            frame = _read_frame(file)
            result = key_drivers(frame, outcome, names, **settings)
        else:
            with Workspace.open(project) as ws:
                result = table_drivers(ws, table_name or "responses", outcome, names, **settings)
        if fmt == "json":
            typer.echo(json.dumps(result.to_records(), ensure_ascii=False, indent=2))
            return
        if fmt == "csv":
            import csv
            import io

            from cxpulse.export_cells import safe_cell

            records = result.to_records()
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in records)
            typer.echo(buffer.getvalue(), nl=False)
            return
        level = level_text(result.confidence)
        title = gettext("metrics.cli.drivers.title", language, outcome=outcome, n=_count(result.n))
        out = Table(title=escape(title), header_style="bold")
        for key in ("rank", "driver", "share", "ci", "performance", "quadrant"):
            out.add_column(
                gettext(f"metrics.drivers.col.{key}", language, level=level),
                justify="left" if key in ("driver", "quadrant") else "right",
            )
        for d in result.drivers:
            out.add_row(
                str(d.rank),
                escape(d.driver),
                _number(d.share, 1) + " %",
                interval_text(d.share_low, d.share_high, 1),
                _number(d.performance, 2),
                gettext(f"metrics.drivers.quadrant.{d.quadrant}", language),
            )
        console.print(out)
        console.print(
            gettext(
                "metrics.cli.drivers.note",
                language,
                r2=format_number(100 * result.r2, language, 1),
                dropped=_count(result.dropped),
                method=term("method", result.method, language),
                boot=result.n_boot,
            )
        )


@app.command("ratings", help=tr("cli.metrics.ratings.help"))
def ratings(
    columns: Annotated[
        list[str], typer.Option("--columns", "-c", help=tr("metrics.cli.ratings.columns"))
    ],
    file: Annotated[
        Path | None, typer.Option("--file", help=tr("metrics.cli.drivers.file"))
    ] = None,
    table_name: Annotated[
        str | None, typer.Option("--table", help=tr("metrics.cli.drivers.table"))
    ] = None,
    missing: Annotated[
        list[float] | None, typer.Option("--missing", help=tr("metrics.cli.drivers.missing"))
    ] = None,
    top_box: Annotated[
        float | None, typer.Option("--top-box", help=tr("metrics.cli.ratings.top_box"))
    ] = None,
    scale: Annotated[str, typer.Option("--scale", help=tr("metrics.cli.ratings.scale"))] = "1-5",
    by: ByOption = None,
    fmt: FormatOption = "table",
    lang: LangOption = None,
    project: ProjectOption = Path("."),
) -> None:
    """CSAT per attribute rating: top-box share and mean of each rating column."""
    from cxpulse.config import MetricsConfig
    from cxpulse.metrics.errors import MetricQueryError
    from cxpulse.metrics.ratings import rating_scores, table_ratings
    from cxpulse.workspace import Workspace

    _check_format(fmt)
    with reported_errors(project, lang):
        low, sep, high = scale.partition("-")
        try:
            bounds = (float(low), float(high))
        except ValueError:
            raise MetricQueryError(key="metrics.error.scale", values={"scale": scale}) from None
        if not sep or bounds[0] >= bounds[1]:
            raise MetricQueryError(key="metrics.error.scale", values={"scale": scale})
        options, language = _project_options(project, lang)
        opts = options if options is not None else MetricsConfig()
        settings: dict[str, Any] = {
            "top_box": top_box,
            "missing_values": missing or (),
            "by": _dims(by),
            "scale": bounds,
        }
        if file is not None:
            table = rating_scores(_read_frame(file), _dims(columns), options=opts, **settings)
        else:
            with Workspace.open(project) as ws:
                table = table_ratings(ws, table_name or "responses", _dims(columns), **settings)
        if fmt != "table":
            typer.echo(_frame_text(table, fmt))
            return
        console.print(render_ratings(table, language, opts))


def render_ratings(table: MetricTable, lang: str, options: Any) -> Table:
    """One line per rating (and group): top-box share and mean, each with n and interval."""
    from cxpulse.metrics.ratings import MEAN, RATING, TOP_BOX, rating_label

    levels = sorted({r.confidence for r in table.rows}) or [0.95]
    level = " / ".join(level_text(c) for c in levels)
    dims = list(dict.fromkeys(k for r in table.rows for k in r.group if k != RATING))
    out = Table(header_style="bold")
    out.add_column(gettext("metrics.ratings.col.rating", lang))
    for d in dims:
        out.add_column(escape(dimension_label(d, lang)))
    out.add_column(rating_label(TOP_BOX, lang, options), justify="right")
    out.add_column(gettext("metrics.col.ci", lang, level=level), justify="right")
    out.add_column(rating_label(MEAN, lang, options), justify="right")
    out.add_column(gettext("metrics.col.ci", lang, level=level), justify="right")
    out.add_column(gettext("metrics.col.n", lang), justify="right")
    out.add_column(gettext("metrics.col.method", lang))
    pairs: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in table.rows:
        pairs.setdefault(tuple(r.group.items()), {})[r.metric] = r
    for key, both in pairs.items():
        top, mean = both[TOP_BOX], both[MEAN]
        group = dict(key)
        small = " *" if top.small_sample else ""
        out.add_row(
            escape(str(group[RATING])),
            *["-" if group.get(d) is None else escape(str(group[d])) for d in dims],
            _number(top.value, 1) + " %",
            interval_text(top.ci_low, top.ci_high, 1),
            _number(mean.value, 2),
            interval_text(mean.ci_low, mean.ci_high, 2),
            _count(top.n) + small,
            escape(term("method", top.method, lang) + " / " + term("method", mean.method, lang)),
        )
    return out


@app.command("survival", help=tr("cli.metrics.survival.help"))
def survival(
    by: ByOption = None,
    unit: Annotated[str, typer.Option("--unit", help=tr("metrics.cli.survival.unit"))] = "month",
    fmt: FormatOption = "table",
    lang: LangOption = None,
    project: ProjectOption = Path("."),
) -> None:
    """Kaplan-Meier survival of account lifetimes (by segment), with intervals."""
    from cxpulse.metrics.survival import survival_curves
    from cxpulse.workspace import Workspace

    with reported_errors(project, lang), Workspace.open(project) as ws:
        frame = survival_curves(ws, by=_dims(by), unit=unit)
        language = _language(ws, lang)
        if fmt in ("json", "csv"):
            from cxpulse.metrics.frame import clean

            records = [{k: clean(v) for k, v in r.items()} for r in frame.to_dict("records")]
            if fmt == "json":
                typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
                return
            import csv
            import io

            from cxpulse.export_cells import safe_cell

            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=list(frame.columns), lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in records)
            typer.echo(buffer.getvalue(), nl=False)
            return
        if frame.empty:
            console.print(gettext("metrics.cli.empty", language))
            return
        level = level_text(ws.config.metrics.confidence)
        out = Table(header_style="bold")
        dims = _dims(by)
        for col in dims:
            out.add_column(escape(dimension_label(col, language)))
        for key in ("time", "survival", "ci", "at_risk", "ended"):
            out.add_column(
                gettext(f"metrics.survival.col.{key}", language, level=level, unit=unit),
                justify="right",
            )
        for r in frame.to_dict("records"):
            out.add_row(
                *["-" if r.get(k) is None else escape(str(r[k])) for k in dims],
                str(r[unit + "s"]),
                _number(100 * r["survival"], 1) + " %",
                interval_text(100 * r["ci_low"], 100 * r["ci_high"], 1),
                format_number(r["at_risk"], language, 0),
                format_number(r["ended"], language, 0),
            )
        console.print(out)
        console.print(escape(term("method", frame.method.iloc[0], language)))


def _csv_text(records: list[dict[str, Any]]) -> str:
    import csv
    import io

    from cxpulse.export_cells import safe_cell

    buffer = io.StringIO()
    if records:
        writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in records)
    return buffer.getvalue()


def _money(x: Any) -> str:
    return _number(x, 0)


DrawsOption = Annotated[int, typer.Option("--draws", help=tr("metrics.cli.clv.draws"))]


@app.command("clv", help=tr("cli.metrics.clv.help"))
def clv(
    months: Annotated[int, typer.Option("--months", help=tr("metrics.cli.clv.months"))] = 12,
    as_of: Annotated[str | None, typer.Option("--as-of", help=tr("metrics.cli.clv.as_of"))] = None,
    discount: Annotated[
        float, typer.Option("--discount", help=tr("metrics.cli.clv.discount"))
    ] = 0.0,
    top: Annotated[int, typer.Option("--top", help=tr("metrics.cli.clv.top"))] = 20,
    by: ByOption = None,
    draws: DrawsOption = 500,
    fmt: FormatOption = "table",
    lang: LangOption = None,
    project: ProjectOption = Path("."),
) -> None:
    """Customer lifetime value per account and in total, with credible intervals."""
    from cxpulse.metrics.lifetime_model import SamplerSettings
    from cxpulse.metrics.lifetime_value import customer_lifetime_value
    from cxpulse.workspace import Workspace

    _check_format(fmt)
    with reported_errors(project, lang), Workspace.open(project) as ws:
        language = _language(ws, lang)
        result = customer_lifetime_value(
            ws,
            horizon_months=months,
            as_of=as_of,
            discount_rate=discount,
            sampler=SamplerSettings(draws=draws, tune=draws),
            by=_dims(by),
        )
        if fmt == "json":
            body = {
                "summary": result.summary(),
                "groups": result.group_records(),
                "accounts": result.to_records(),
            }
            typer.echo(json.dumps(body, ensure_ascii=False, indent=2, allow_nan=False))
            return
        if fmt == "csv":  # with --by the groups, else every account
            rows = result.group_records() if _dims(by) else result.to_records()
            typer.echo(_csv_text(rows), nl=False)
            return
        level = level_text(result.confidence)
        title = gettext(
            "metrics.clv.title", language, months=months, as_of=result.as_of.isoformat()
        )
        out = Table(title=escape(title), header_style="bold")
        keys = ("account", "purchase_days", "last_purchase", "alive", "expected_purchases")
        for key in (*keys, "expected_spend", "clv", "ci"):
            out.add_column(
                gettext(f"metrics.clv.col.{key}", language, level=level),
                justify="left" if key in ("account", "last_purchase") else "right",
            )
        for r in result.accounts.head(max(top, 0)).to_dict("records"):
            out.add_row(
                escape(str(r["account_id"])),
                _count(int(r["purchase_days"])),
                r["last_purchase"].isoformat(),
                _number(100 * r["probability_alive"], 1) + " %",
                _number(r["expected_purchases"], 2),
                _money(r["expected_spend"]),
                _money(r["clv"]),
                interval_text(r["clv_low"], r["clv_high"], 0),
            )
        console.print(out)
        console.print(
            gettext(
                "metrics.clv.total",
                language,
                n=_count(result.n),
                value=_money(result.total),
                ci=interval_text(result.total_low, result.total_high, 0),
                level=level,
            )
        )
        if result.groups is not None:
            groups = Table(header_style="bold")
            dims = _dims(by)
            for col in dims:
                groups.add_column(escape(col))
            for key in ("customers", "clv", "ci"):
                groups.add_column(
                    gettext(f"metrics.clv.col.{key}", language, level=level), justify="right"
                )
            for g in result.group_records():
                groups.add_row(
                    *["-" if g.get(k) is None else escape(str(g[k])) for k in dims],
                    _count(int(g["customers"])),
                    _money(g["clv"]),
                    interval_text(g["clv_low"], g["clv_high"], 0),
                )
            console.print(groups)
        r_hat = _number(result.r_hat, 3)
        console.print(
            escape(
                gettext(
                    "metrics.clv.note",
                    language,
                    method=term("method", result.method, language),
                    draws=_count(result.draws),
                    r_hat=r_hat,
                )
            )
        )
        if result.r_hat > 1.05:
            console.print(gettext("metrics.clv.rhat_warning", language, r_hat=r_hat))


@app.command("clv-backtest", help=tr("cli.metrics.clv_backtest.help"))
def clv_backtest(
    calibration_end: Annotated[
        str, typer.Option("--calibration-end", help=tr("metrics.cli.clv.calibration_end"))
    ],
    holdout_end: Annotated[
        str | None, typer.Option("--holdout-end", help=tr("metrics.cli.clv.holdout_end"))
    ] = None,
    draws: DrawsOption = 500,
    fmt: FormatOption = "table",
    lang: LangOption = None,
    project: ProjectOption = Path("."),
) -> None:
    """Fit on a calibration period, predict the holdout, report aggregate and per-customer error."""
    from cxpulse.metrics.lifetime_backtest import clv_backtest as run_backtest
    from cxpulse.metrics.lifetime_model import SamplerSettings
    from cxpulse.workspace import Workspace

    _check_format(fmt)
    with reported_errors(project, lang), Workspace.open(project) as ws:
        language = _language(ws, lang)
        result = run_backtest(
            ws,
            calibration_end,
            holdout_end=holdout_end,
            sampler=SamplerSettings(draws=draws, tune=draws),
        )
        from cxpulse.metrics.frame import clean

        records = [{k: clean(v) for k, v in r.items()} for r in result.customers.to_dict("records")]
        if fmt == "json":
            body = {"summary": result.summary(), "customers": records}
            typer.echo(json.dumps(body, ensure_ascii=False, indent=2, allow_nan=False))
            return
        if fmt == "csv":
            typer.echo(_csv_text(records), nl=False)
            return
        level = level_text(result.confidence)
        title = gettext(
            "metrics.clv.backtest.title",
            language,
            start=result.calibration_start.isoformat(),
            cut=result.calibration_end.isoformat(),
            end=result.holdout_end.isoformat(),
            days=result.holdout_days,
            n=_count(result.n),
        )
        out = Table(title=escape(title), header_style="bold")
        keys = ("quantity", "predicted", "ci", "actual", "error", "mae", "baseline")
        for key in keys:
            out.add_column(
                gettext(f"metrics.clv.backtest.col.{key}", language, level=level),
                justify="left" if key == "quantity" else "right",
            )
        for name, f in (("purchases", result.purchases), ("revenue", result.revenue)):
            digits = 1 if name == "purchases" else 0
            out.add_row(
                gettext(f"metrics.clv.backtest.{name}", language),
                _number(f.predicted, digits),
                interval_text(f.predicted_low, f.predicted_high, digits),
                _number(f.actual, digits),
                ("+" if f.error > 0 else "") + _number(100 * f.error, 1) + " %",
                _number(f.mae, 2 if name == "purchases" else 0),
                _number(f.baseline_mae, 2 if name == "purchases" else 0),
            )
        console.print(out)
        console.print(
            gettext(
                "metrics.clv.backtest.new",
                language,
                n=_count(result.new_customers),
                purchases=_count(result.new_customer_purchases),
            )
        )
        console.print(escape(term("method", result.method, language)))


def _read_frame(path: Path) -> Any:
    import pandas as pd

    from cxpulse.metrics.errors import MetricQueryError

    if not path.exists():
        raise MetricQueryError(key="metrics.error.no_file", values={"path": path})
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path)


@app.command("list", help=tr("cli.metrics.list.help"))
def list_metrics(
    lang: LangOption = None,
    project: Annotated[
        Path | None, typer.Option("--project", "-p", envvar="CXPULSE_PROJECT", hidden=True)
    ] = None,
) -> None:
    """The metrics cxpulse computes (and the project's custom ones), with table and unit."""
    from cxpulse.metrics.custom import all_definitions

    with reported_errors(project, lang):
        options, language = _project_options(project, lang)
    out = Table(header_style="bold")
    for key in ("name", "metric", "table", "unit", "description"):
        out.add_column(gettext(f"metrics.col.{key}", language), no_wrap=key == "name")
    for d in all_definitions(options):
        out.add_row(
            d.name,
            escape(d.label(language, options)),
            d.table,
            escape(term("unit", d.unit, language)),
            escape(d.describe_text(language)),
        )
    console.print(out)


@app.command("benchmarks", help=tr("cli.metrics.benchmarks.help"))
def benchmarks(
    file: Annotated[
        Path | None, typer.Option("--file", help=tr("metrics.cli.benchmarks.file"))
    ] = None,
    fmt: FormatOption = "table",
    lang: LangOption = None,
    project: Annotated[
        Path | None, typer.Option("--project", "-p", envvar="CXPULSE_PROJECT", hidden=True)
    ] = None,
) -> None:
    """Published industry NPS figures with their source and year (or those of --file)."""
    from cxpulse.metrics.benchmarks import load_benchmarks

    _check_format(fmt)
    with reported_errors(project, lang):
        options, language = _project_options(project, lang)
        rows = load_benchmarks(file)
    if fmt != "table":
        records = [
            {
                "industry_key": b.industry_key,
                "industry": b.industry(language),
                "nps": b.nps,
                "market": b.market,
                "year": b.year,
                "source": b.source,
                "source_url_or_title": b.source_url_or_title,
                "notes": b.notes,
            }
            for b in rows
        ]
        typer.echo(
            json.dumps(records, ensure_ascii=False, indent=2)
            if fmt == "json"
            else _csv_text(records),
            nl=fmt == "json",
        )
        return
    from cxpulse.metrics.benchmarks import nps_benchmark

    industry = options.industry if options is not None else None
    configured = nps_benchmark(industry) if industry else None
    chosen = configured.industry_key if configured is not None else None
    out = Table(header_style="bold")
    for key in ("industry", "key", "nps", "market", "year", "source"):
        out.add_column(
            gettext(f"metrics.benchmarks.col.{key}", language),
            justify="right" if key in ("nps", "year") else "left",
            no_wrap=key == "key",
        )
    for b in rows:
        mark = " ✓" if b.industry_key == chosen else ""
        out.add_row(
            escape(b.industry(language)) + mark,
            b.industry_key,
            _number(b.nps, 0 if float(b.nps).is_integer() else 1),
            b.market,
            str(b.year),
            escape(b.source),
        )
    console.print(out)
    console.print(escape(gettext("metrics.cli.benchmarks.note", language)))
