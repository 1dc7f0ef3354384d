"""``cxpulse health``: fit, score, explain and backtest the Customer Health Score."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cxpulse.cli.common import ProjectOption, console, reported_errors
from cxpulse.cli.i18n import tr
from cxpulse.locale import gettext

if TYPE_CHECKING:
    from cxpulse.workspace import Workspace

app = typer.Typer(
    help="Customer Health Score: fit weights from history, score accounts 0-100, explain a "
    "score, backtest the models.",
    no_args_is_help=True,
)

LangOption = Annotated[
    str | None, typer.Option("--lang", help="Language of the output: es or en (default: project).")
]
HorizonOption = Annotated[
    str | None, typer.Option("--horizon", help="Prediction horizon, e.g. 90d, 12w, 3m.")
]
OutcomeOption = Annotated[
    str | None, typer.Option("--outcome", help="Outcome to predict: churn, renewal or expansion.")
]
BAND_STYLE = {"red": "red", "yellow": "yellow", "green": "green"}


def _lang(ws: Workspace, lang: str | None) -> str:
    return lang or ws.config.locale.language


def _project_dir(ws: Workspace, project: Path) -> Path:
    return ws.config.project_dir or project


@app.command()
def fit(
    outcome: OutcomeOption = None,
    horizon: HorizonOption = None,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="logistic (default), lightgbm or expert.")
    ] = None,
    project: ProjectOption = Path("."),
    lang: LangOption = None,
) -> None:
    """Learn signal weights from past outcomes and save the model in the project's models/."""
    from cxpulse.health import fit_model, parse_horizon, save_model
    from cxpulse.workspace import Workspace

    with reported_errors(), Workspace.open(project) as ws:
        language = _lang(ws, lang)
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
        grid.add_column(gettext("health.col.signal", language))
        grid.add_column(gettext("health.col.weight", language), justify="right")
        for name, weight in result.model.weights_.sort_values(key=abs, ascending=False).items():
            grid.add_row(escape(str(name)), f"{weight:+.3f}")
        console.print(grid)
        console.print(
            gettext(
                "health.cli.fitted",
                language,
                model=result.model.name,
                outcome=result.outcome,
                horizon=result.horizon_days,
                n=f"{result.n:,}",
                dates=len(result.as_of_dates),
                path=path,
            ),
            soft_wrap=True,
        )


@app.command()
def score(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Score as of this date (default: today).")
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="Saved model: logistic, lightgbm or expert."),
    ] = None,
    project: ProjectOption = Path("."),
    lang: LangOption = None,
    top: Annotated[int, typer.Option(help="Show the N lowest scores.")] = 10,
) -> None:
    """Score every active account 0-100 and store a snapshot in the workspace."""
    from cxpulse.health import score_accounts
    from cxpulse.health.bands import band_label
    from cxpulse.health.current import active_model
    from cxpulse.workspace import Workspace

    with reported_errors(), Workspace.open(project) as ws:
        language = _lang(ws, lang)
        saved = active_model(ws, model)
        frame = score_accounts(ws, saved.model, as_of, signals=saved.signals)
        when = frame["as_of"].iloc[0] if len(frame) else as_of or "today"
        if frame.empty:
            console.print(gettext("health.cli.no_accounts", language, as_of=when))
            return
        counts = frame["band"].value_counts()
        grid = Table()
        for key in ("account", "score", "band"):
            grid.add_column(gettext(f"health.col.{key}", language))
        for row in frame.nsmallest(top, "score").itertuples(index=False):
            style = BAND_STYLE[str(row.band)]
            grid.add_row(
                escape(str(row.account_id)),
                f"{row.score:.0f}",
                f"[{style}]{band_label(str(row.band), language)}[/]",
            )
        console.print(grid)
        console.print(
            gettext(
                "health.cli.scored",
                language,
                n=f"{len(frame):,}",
                as_of=when,
                model=saved.name,
                red=int(counts.get("red", 0)),
                yellow=int(counts.get("yellow", 0)),
                green=int(counts.get("green", 0)),
            ),
            soft_wrap=True,
        )


@app.command()
def explain(
    account: Annotated[str, typer.Argument(help="Account id.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Explain the score stored on or before this date.")
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="Model of the stored score.")
    ] = None,
    project: ProjectOption = Path("."),
    lang: LangOption = None,
) -> None:
    """Explain an account's score in plain words: trend, signals up and down, playbook."""
    from cxpulse.health import explain_account
    from cxpulse.workspace import Workspace

    with reported_errors(), Workspace.open(project) as ws:
        result = explain_account(ws, account, model=model, as_of=as_of, lang=_lang(ws, lang))
        for line in result.lines:
            console.print(escape(line), soft_wrap=True)


@app.command()
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

    with reported_errors(), Workspace.open(project) as ws:
        language = _lang(ws, lang)
        folder = _project_dir(ws, project)
        if clear:
            clear_promotion(folder)
        elif model:
            promote_model(folder, model)
        name = active_model_name(ws)
        console.print(gettext("health.cli.active", language, model=name), soft_wrap=True)


def _fmt(value: float) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.3f}"


@app.command("evaluate")
def evaluate_command(
    outcome: OutcomeOption = None,
    horizon: HorizonOption = None,
    test_dates: Annotated[int, typer.Option(help="How many most recent as-of dates to test.")] = 3,
    project: ProjectOption = Path("."),
    lang: LangOption = None,
) -> None:
    """Backtest expert, logistic and LightGBM on rolling as-of dates, side by side."""
    from cxpulse.health import evaluate, parse_health_config, parse_horizon
    from cxpulse.health.evaluate import default_models
    from cxpulse.workspace import Workspace

    with reported_errors(), Workspace.open(project) as ws:
        language = _lang(ws, lang)
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
            grid.add_column(gettext(f"health.col.{key}", language), justify="right")
        for m in report.models:
            grid.add_row(
                m.model,
                f"{m.n:,}",
                _fmt(m.bad_rate),
                _fmt(m.roc_auc),
                _fmt(m.pr_auc),
                _fmt(m.brier),
                _fmt(m.top_decile_bad_rate),
                f"{m.lift:.2f}",
            )
        dates = sorted({d for m in report.models for d in m.test_dates})
        console.print(
            gettext(
                "health.cli.evaluated",
                language,
                outcome=report.outcome,
                horizon=report.horizon_days,
                dates=len(dates),
            )
        )
        console.print(grid)
