"""``cxpulse comments``: themes, sentiment and detractor drivers of survey comments."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cxpulse.cli.common import ProjectOption, console, reported_errors
from cxpulse.cli.i18n import Speaker, speaker, tr

if TYPE_CHECKING:
    from cxpulse.text import CommentAnalysis

app = typer.Typer(help=tr("cli.comments.help"), no_args_is_help=True)

ByOption = Annotated[
    list[str] | None,
    typer.Option("--by", help=tr("cli.comments.by")),
]
GrainOption = Annotated[str | None, typer.Option("--grain", help=tr("cli.comments.grain"))]
StartOption = Annotated[str | None, typer.Option("--start", help=tr("cli.metrics.from"))]
EndOption = Annotated[str | None, typer.Option("--end", help=tr("cli.metrics.to"))]
KOption = Annotated[
    int | None,
    typer.Option("--k", min=1, help=tr("cli.comments.k")),
]
SeedOption = Annotated[int, typer.Option("--seed", help=tr("cli.comments.seed"))]
LangOption = Annotated[str | None, typer.Option("--lang", help=tr("cli.option.lang"))]


def _run(
    project: Path,
    by: list[str] | None,
    grain: str | None,
    start: str | None,
    end: str | None,
    k: int | None,
    seed: int,
    lang: str | None,
) -> tuple[CommentAnalysis, Speaker]:
    from cxpulse.text import comment_analysis
    from cxpulse.workspace import Workspace

    say = speaker(project, lang)
    with Workspace.open(project) as ws:
        result = comment_analysis(
            ws, by=by, grain=grain, start=start, end=end, k=k, seed=seed, lang=say.lang
        )
    return result, say


def _num(value: float, say: Speaker, digits: int = 1) -> str:
    return "-" if value is None or math.isnan(value) else say.num(value, digits)


def _signed(value: float, say: Speaker) -> str:
    text = say.num(value, 1)
    return f"+{text}" if value > 0 else text


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")  # type: ignore[no-any-return]
    return escape(str(value))


@app.command("themes", help=tr("cli.comments.themes.help"))
def themes_command(
    project: ProjectOption = Path("."),
    by: ByOption = None,
    grain: GrainOption = None,
    start: StartOption = None,
    end: EndOption = None,
    k: KOption = None,
    seed: SeedOption = 0,
    lang: LangOption = None,
    examples: Annotated[
        int, typer.Option("--examples", min=0, help=tr("cli.comments.examples"))
    ] = 2,
) -> None:
    """Themes of the comments with size, sentiment and example comments."""
    with reported_errors(project, lang):
        result, say = _run(project, by, grain, start, end, k, seed, lang)
    table = Table(title=say("text.title.themes", n=say.count(result.n_comments)))
    for key in ("theme", "words", "comments", "share", "sentiment", "negative", "examples"):
        justify = "right" if key in ("comments", "share", "sentiment", "negative") else "left"
        table.add_column(say(f"text.col.{key}"), justify=justify)  # type: ignore[arg-type]
    for row in result.themes.itertuples():
        shown = "\n".join(f"“{escape(e[:90])}”" for e in list(row.examples)[:examples])
        table.add_row(
            escape(str(row.label)),
            escape(", ".join(row.words)),
            say.count(int(row.n)),
            _num(float(row.share), say),
            _num(float(row.mean_sentiment), say, 2),
            _num(float(row.pct_negative), say),
            shown,
        )
    console.print(table)
    if result.by or result.grain:
        split = Table(title=" / ".join([*result.by, *([result.grain] if result.grain else [])]))
        keys = [*result.by, *(["period"] if result.grain else [])]
        for key in keys:
            split.add_column(say("text.col.period") if key == "period" else key)
        for key in ("theme", "comments", "share", "sentiment", "examples"):
            split.add_column(say(f"text.col.{key}"))
        per_group: dict[tuple[object, ...], list[str]] = {}
        for ex in result.examples_by.to_dict("records"):
            group = tuple(ex[c] for c in [*keys, "theme_id"])
            per_group.setdefault(group, []).append(ex["comment"])
        for rec in result.themes_by.to_dict("records"):
            texts = per_group.get(tuple(rec[c] for c in [*keys, "theme_id"]), [])[:examples]
            split.add_row(
                *[_cell(rec[c]) for c in keys],
                escape(str(rec["label"])),
                say.count(int(rec["n"])),
                _num(float(rec["share"]), say),
                _num(float(rec["mean_sentiment"]), say, 2),
                "\n".join(f"“{escape(text[:70])}”" for text in texts),
            )
        console.print(split)


@app.command("sentiment", help=tr("cli.comments.sentiment.help"))
def sentiment_command(
    project: ProjectOption = Path("."),
    by: ByOption = None,
    grain: GrainOption = None,
    start: StartOption = None,
    end: EndOption = None,
    lang: LangOption = None,
) -> None:
    """Mean sentiment (-1..1) and shares of positive and negative comments."""
    with reported_errors(project, lang):
        result, say = _run(project, by, grain, start, end, None, 0, lang)
    keys = [*result.by, *(["period"] if result.grain else [])]
    table = Table(title=say("text.title.sentiment", n=say.count(result.n_comments)))
    for key in keys:
        table.add_column(say("text.col.period") if key == "period" else key)
    for key in ("comments", "sentiment", "positive", "negative"):
        table.add_column(say(f"text.col.{key}"), justify="right")
    for rec in result.sentiment.to_dict("records"):
        table.add_row(
            *[_cell(rec[c]) for c in keys],
            say.count(int(rec["n"])),
            _num(float(rec["mean_sentiment"]), say, 2),
            _num(float(rec["pct_positive"]), say),
            _num(float(rec["pct_negative"]), say),
        )
    console.print(table)


@app.command("drivers", help=tr("cli.comments.drivers.help"))
def drivers_command(
    project: ProjectOption = Path("."),
    kind: Annotated[str | None, typer.Option("--kind", help=tr("cli.comments.kind"))] = None,
    start: StartOption = None,
    end: EndOption = None,
    k: KOption = None,
    seed: SeedOption = 0,
    lang: LangOption = None,
) -> None:
    """Which themes go with detractors: share of detractors with and without each theme."""
    with reported_errors(project, lang):
        result, say = _run(project, None, None, start, end, k, seed, lang)
    table = Table(title=say("text.title.drivers"), caption=say("text.note.drivers"))
    for key in ("kind", "theme", "with", "without", "difference", "p_value", "significant"):
        table.add_column(say(f"text.col.{key}"))
    for d in result.drivers:
        if kind is not None and d.kind != kind:
            continue
        small = f" ({say('text.small_sample')})" if d.with_theme.small_sample else ""
        c = d.comparison
        table.add_row(
            say.term("survey_kind", d.kind),
            escape(d.label),
            f"{_num(100 * d.with_theme.value, say)} (n={say.count(d.with_theme.n)}){small}",
            f"{_num(100 * d.without_theme.value, say)} (n={say.count(d.without_theme.n)})",
            f"{_signed(100 * c.difference, say)} "
            f"[{_signed(100 * c.ci_low, say)}; {_signed(100 * c.ci_high, say)}]"
            if not math.isnan(c.difference)
            else "-",
            _num(c.p_value, say, 3),
            say("text.yes" if c.significant else "text.no"),
        )
    console.print(table)
