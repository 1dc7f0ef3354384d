"""``cxpulse comments``: themes, sentiment and detractor drivers of survey comments."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cxpulse.cli.common import ProjectOption, console, reported_errors
from cxpulse.locale import gettext

if TYPE_CHECKING:
    from cxpulse.text import CommentAnalysis

app = typer.Typer(
    help="Themes and sentiment of survey comments (es, en, pt).", no_args_is_help=True
)

ByOption = Annotated[
    list[str] | None,
    typer.Option("--by", help="Split by a column of responses or accounts (repeatable)."),
]
GrainOption = Annotated[
    str | None, typer.Option("--grain", help="Split by time: day, week, month, quarter, year.")
]
StartOption = Annotated[str | None, typer.Option("--start", help="First day (YYYY-MM-DD).")]
EndOption = Annotated[str | None, typer.Option("--end", help="Last day, inclusive (YYYY-MM-DD).")]
KOption = Annotated[
    int | None,
    typer.Option("--k", min=1, help="Number of themes (default: chosen by silhouette)."),
]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of the clustering.")]
LangOption = Annotated[
    str | None, typer.Option("--lang", help="Language of the output: es or en (default: project).")
]


def _run(
    project: Path,
    by: list[str] | None,
    grain: str | None,
    start: str | None,
    end: str | None,
    k: int | None,
    seed: int,
    lang: str | None,
) -> tuple[CommentAnalysis, str]:
    from cxpulse.text import comment_analysis
    from cxpulse.workspace import Workspace

    with Workspace.open(project) as ws:
        language = lang or ws.config.locale.language
        result = comment_analysis(
            ws, by=by, grain=grain, start=start, end=end, k=k, seed=seed, lang=language
        )
    return result, language


def _num(value: float, digits: int = 1) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")  # type: ignore[no-any-return]
    return escape(str(value))


@app.command("themes")
def themes_command(
    project: ProjectOption = Path("."),
    by: ByOption = None,
    grain: GrainOption = None,
    start: StartOption = None,
    end: EndOption = None,
    k: KOption = None,
    seed: SeedOption = 0,
    lang: LangOption = None,
    examples: Annotated[int, typer.Option("--examples", min=0, help="Examples per theme.")] = 2,
) -> None:
    """Themes of the comments with size, sentiment and example comments."""
    with reported_errors():
        result, lg = _run(project, by, grain, start, end, k, seed, lang)
    table = Table(title=gettext("text.title.themes", lg, n=result.n_comments))
    for key in ("theme", "words", "comments", "share", "sentiment", "negative", "examples"):
        justify = "right" if key in ("comments", "share", "sentiment", "negative") else "left"
        table.add_column(gettext(f"text.col.{key}", lg), justify=justify)  # type: ignore[arg-type]
    for row in result.themes.itertuples():
        shown = "\n".join(f"“{escape(e[:90])}”" for e in list(row.examples)[:examples])
        table.add_row(
            escape(str(row.label)),
            escape(", ".join(row.words)),
            str(int(row.n)),
            _num(float(row.share)),
            _num(float(row.mean_sentiment), 2),
            _num(float(row.pct_negative)),
            shown,
        )
    console.print(table)
    if result.by or result.grain:
        split = Table(title=" / ".join([*result.by, *([result.grain] if result.grain else [])]))
        keys = [*result.by, *(["period"] if result.grain else [])]
        for key in keys:
            split.add_column(gettext("text.col.period", lg) if key == "period" else key)
        for key in ("theme", "comments", "share", "sentiment", "examples"):
            split.add_column(gettext(f"text.col.{key}", lg))
        per_group: dict[tuple[object, ...], list[str]] = {}
        for ex in result.examples_by.to_dict("records"):
            group = tuple(ex[c] for c in [*keys, "theme_id"])
            per_group.setdefault(group, []).append(ex["comment"])
        for rec in result.themes_by.to_dict("records"):
            texts = per_group.get(tuple(rec[c] for c in [*keys, "theme_id"]), [])[:examples]
            split.add_row(
                *[_cell(rec[c]) for c in keys],
                escape(str(rec["label"])),
                str(int(rec["n"])),
                _num(float(rec["share"])),
                _num(float(rec["mean_sentiment"]), 2),
                "\n".join(f"“{escape(text[:70])}”" for text in texts),
            )
        console.print(split)


@app.command("sentiment")
def sentiment_command(
    project: ProjectOption = Path("."),
    by: ByOption = None,
    grain: GrainOption = None,
    start: StartOption = None,
    end: EndOption = None,
    lang: LangOption = None,
) -> None:
    """Mean sentiment (-1..1) and shares of positive and negative comments."""
    with reported_errors():
        result, lg = _run(project, by, grain, start, end, None, 0, lang)
    keys = [*result.by, *(["period"] if result.grain else [])]
    table = Table(title=gettext("text.title.sentiment", lg, n=result.n_comments))
    for key in keys:
        table.add_column(gettext("text.col.period", lg) if key == "period" else key)
    for key in ("comments", "sentiment", "positive", "negative"):
        table.add_column(gettext(f"text.col.{key}", lg), justify="right")
    for rec in result.sentiment.to_dict("records"):
        table.add_row(
            *[_cell(rec[c]) for c in keys],
            str(int(rec["n"])),
            _num(float(rec["mean_sentiment"]), 2),
            _num(float(rec["pct_positive"])),
            _num(float(rec["pct_negative"])),
        )
    console.print(table)


@app.command("drivers")
def drivers_command(
    project: ProjectOption = Path("."),
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only this indicator: nps, csat or ces.")
    ] = None,
    start: StartOption = None,
    end: EndOption = None,
    k: KOption = None,
    seed: SeedOption = 0,
    lang: LangOption = None,
) -> None:
    """Which themes go with detractors: share of detractors with and without each theme."""
    with reported_errors():
        result, lg = _run(project, None, None, start, end, k, seed, lang)
    table = Table(title=gettext("text.title.drivers", lg), caption=gettext("text.note.drivers", lg))
    for key in ("kind", "theme", "with", "without", "difference", "p_value", "significant"):
        table.add_column(gettext(f"text.col.{key}", lg))
    for d in result.drivers:
        if kind is not None and d.kind != kind:
            continue
        small = f" ({gettext('text.small_sample', lg)})" if d.with_theme.small_sample else ""
        c = d.comparison
        table.add_row(
            d.kind.upper(),
            escape(d.label),
            f"{_num(100 * d.with_theme.value)} (n={d.with_theme.n}){small}",
            f"{_num(100 * d.without_theme.value)} (n={d.without_theme.n})",
            f"{100 * c.difference:+.1f} [{100 * c.ci_low:+.1f}, {100 * c.ci_high:+.1f}]"
            if not math.isnan(c.difference)
            else "-",
            _num(c.p_value, 3),
            gettext("text.yes" if c.significant else "text.no", lg),
        )
    console.print(table)
