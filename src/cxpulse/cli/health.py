"""``cxpulse health``: fit, score, explain and backtest the Customer Health Score."""

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
    from cxpulse.workspace import Workspace

app = typer.Typer(
    help=tr("cli.health.help"),
    no_args_is_help=True,
)

LangOption = Annotated[str | None, typer.Option("--lang", help=tr("cli.option.lang"))]
HorizonOption = Annotated[str | None, typer.Option("--horizon", help=tr("cli.health.horizon"))]
OutcomeOption = Annotated[str | None, typer.Option("--outcome", help=tr("cli.health.outcome"))]
BAND_STYLE = {"red": "red", "yellow": "yellow", "green": "green"}


def _project_dir(ws: Workspace, project: Path) -> Path:
    return ws.config.project_dir or project


@app.command("fit", help=tr("cli.health.fit.help"))
def fit(
    outcome: OutcomeOption = None,
    horizon: HorizonOption = None,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help=tr("cli.health.fit.model"))
    ] = None,
    project: ProjectOption = Path("."),
    lang: LangOption = None,
) -> None:
    """Learn signal weights from past outcomes and save the model in the project's models/."""
    from cxpulse.health import fit_model, parse_horizon, save_model
    from cxpulse.workspace import Workspace

    say = speaker(project, lang)
    with reported_errors(project, lang), Workspace.open(project) as ws:
        days = parse_horizon(horizon) if horizon else None
        result = fit_model(ws, model, outcome=outcome, horizon_days=days)
        path = save_model(
            _project_dir(ws, project),
            result.model,
            signals=result.signals,
            outcome=result.outcome,
            horizon_days=result.horizon_days,
            info={"n": result.n, "as_of_dates": [d.isoformat() for d in result.as_of_dates]},
        )
        grid = Table()
        grid.add_column(say("health.col.signal"))
        grid.add_column(say("health.col.weight"), justify="right")
        for name, weight in result.model.weights_.sort_values(key=abs, ascending=False).items():
            grid.add_row(escape(_signal(str(name), say)), _signed(weight, say, 3))
        console.print(grid)
        console.print(
            escape(
                say(
                    "health.cli.fitted",
                    model=say.term("model", result.model.name),
                    outcome=say.term("outcome", result.outcome),
                    horizon=result.horizon_days,
                    n=say.count(result.n),
                    dates=len(result.as_of_dates),
                    path=path,
                )
            ),
            soft_wrap=True,
        )


@app.command("score", help=tr("cli.health.score.help"))
def score(
    as_of: Annotated[str | None, typer.Option("--as-of", help=tr("cli.health.score.as_of"))] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help=tr("cli.health.score.model")),
    ] = None,
    project: ProjectOption = Path("."),
    lang: LangOption = None,
    top: Annotated[int, typer.Option(help=tr("cli.health.score.top"))] = 10,
) -> None:
    """Score every active account 0-100 and store a snapshot in the workspace."""
    from cxpulse.health import score_accounts
    from cxpulse.health.bands import band_label
    from cxpulse.health.current import active_model
    from cxpulse.workspace import Workspace

    say = speaker(project, lang)
    with reported_errors(project, lang), Workspace.open(project) as ws:
        saved = active_model(ws, model)
        frame = score_accounts(ws, saved.model, as_of, signals=saved.signals)
        when = frame["as_of"].iloc[0] if len(frame) else as_of or say("cli.health.today")
        if frame.empty:
            console.print(say("health.cli.no_accounts", as_of=when))
            return
        counts = frame["band"].value_counts()
        grid = Table()
        for key in ("account", "score", "band"):
            grid.add_column(say(f"health.col.{key}"))
        for row in frame.nsmallest(top, "score").itertuples(index=False):
            style = BAND_STYLE[str(row.band)]
            grid.add_row(
                escape(str(row.account_id)),
                say.num(row.score, 0),
                f"[{style}]{band_label(str(row.band), say.lang)}[/]",
            )
        console.print(grid)
        console.print(
            say(
                "health.cli.scored",
                n=say.count(len(frame)),
                as_of=when,
                model=say.term("model", saved.name),
                red=int(counts.get("red", 0)),
                yellow=int(counts.get("yellow", 0)),
                green=int(counts.get("green", 0)),
            ),
            soft_wrap=True,
        )


@app.command("explain", help=tr("cli.health.explain.help"))
def explain(
    account: Annotated[str, typer.Argument(help=tr("cli.health.explain.account"))],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help=tr("cli.health.explain.as_of"))
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help=tr("cli.health.explain.model"))
    ] = None,
    project: ProjectOption = Path("."),
    lang: LangOption = None,
) -> None:
    """Explain an account's score in plain words: trend, signals up and down, playbook."""
    from cxpulse.health import explain_account
    from cxpulse.workspace import Workspace

    say = speaker(project, lang)
    with reported_errors(project, lang), Workspace.open(project) as ws:
        result = explain_account(ws, account, model=model, as_of=as_of, lang=say.lang)
        for line in result.lines:
            console.print(escape(line), soft_wrap=True)


@app.command("promote", help=tr("cli.health.promote.help"))
def promote(
    model: Annotated[
        str | None,
        typer.Argument(help=tr("health.cli.help.promote_model")),
    ] = None,
    clear: Annotated[
        bool, typer.Option("--clear", help=tr("health.cli.help.promote_clear"))
    ] = False,
    project: ProjectOption = Path("."),
    lang: LangOption = None,
) -> None:
    """Make a model the active one: every page, export, API and CLI command shows its score."""
    from cxpulse.health.current import active_model_name, clear_promotion, promote_model
    from cxpulse.workspace import Workspace

    say = speaker(project, lang)
    with reported_errors(project, lang), Workspace.open(project) as ws:
        folder = _project_dir(ws, project)
        if clear:
            clear_promotion(folder)
        elif model:
            promote_model(folder, model)
        name = active_model_name(ws)
        console.print(say("health.cli.active", model=say.term("model", name)), soft_wrap=True)


def _fmt(value: float, say: Speaker) -> str:
    return "-" if value is None or math.isnan(value) else say.num(value, 3)


def _signed(value: float, say: Speaker, digits: int) -> str:
    text = say.num(value, digits)
    return f"+{text}" if value > 0 else text


def _signal(name: str, say: Speaker) -> str:
    from cxpulse.locale import catalog

    return catalog(say.lang).get(f"health.signal.{name}", name)


@app.command("evaluate", help=tr("cli.health.evaluate.help"))
def evaluate_command(
    outcome: OutcomeOption = None,
    horizon: HorizonOption = None,
    test_dates: Annotated[int, typer.Option(help=tr("cli.health.evaluate.test_dates"))] = 3,
    project: ProjectOption = Path("."),
    lang: LangOption = None,
) -> None:
    """Backtest expert, logistic and LightGBM on rolling as-of dates, side by side."""
    from cxpulse.health import evaluate, parse_health_config, parse_horizon
    from cxpulse.health.evaluate import default_models
    from cxpulse.workspace import Workspace

    say = speaker(project, lang)
    with reported_errors(project, lang), Workspace.open(project) as ws:
        cfg = parse_health_config(ws.config.health)
        days = parse_horizon(horizon) if horizon else None
        report = evaluate(
            ws,
            default_models(cfg.signals),
            outcome=outcome,
            horizon_days=days,
            test_dates=test_dates,
        )
        grid = Table()
        cols = ("model", "n", "bad_rate", "auc", "pr_auc", "brier", "top_decile_rate", "lift")
        for key in cols:
            grid.add_column(say(f"health.col.{key}"), justify="right")
        for m in report.models:
            grid.add_row(
                say.term("model", m.model),
                say.count(m.n),
                _fmt(m.bad_rate, say),
                _fmt(m.roc_auc, say),
                _fmt(m.pr_auc, say),
                _fmt(m.brier, say),
                _fmt(m.top_decile_bad_rate, say),
                say.num(m.lift, 2),
            )
        dates = sorted({d for m in report.models for d in m.test_dates})
        console.print(
            say(
                "health.cli.evaluated",
                outcome=say.term("outcome", report.outcome),
                horizon=report.horizon_days,
                dates=len(dates),
            )
        )
        console.print(grid)
