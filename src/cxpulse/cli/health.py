"""``cxpulse health``: fit, score, explain, evaluate and report the Customer Health Score.

Heavy libraries (pandas, ibis, scikit-learn, LightGBM) load inside the commands, so
``cxpulse --help`` stays fast.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from cxpulse.cli.common import ProjectOption, console, reported_errors
from cxpulse.cli.i18n import tr
from cxpulse.locale import format_number, format_percent, gettext, term

if TYPE_CHECKING:
    from cxpulse.workspace import Workspace

app = typer.Typer(
    help=tr("cli.health.help"),
    no_args_is_help=True,
)

LangOption = Annotated[str | None, typer.Option("--lang", help=tr("cli.option.lang"))]
HorizonOption = Annotated[str | None, typer.Option("--horizon", help=tr("cli.health.horizon"))]
OutcomeOption = Annotated[str | None, typer.Option("--outcome", help=tr("cli.health.outcome"))]
AsOfOption = Annotated[
    list[str] | None,
    typer.Option("--as-of", help=tr("health.cli.help.as_of_dates")),
]
TrainFromOption = Annotated[
    str | None, typer.Option("--train-from", help=tr("health.cli.help.train_from"))
]
TrainToOption = Annotated[
    str | None, typer.Option("--train-to", help=tr("health.cli.help.train_to"))
]
FormatOption = Annotated[str, typer.Option("--format", help=tr("health.cli.help.format"))]
SetOption = Annotated[list[str] | None, typer.Option("--set", help=tr("health.cli.help.set"))]
BudgetOption = Annotated[str | None, typer.Option("--budget", help=tr("health.cli.help.budget"))]
TrialsOption = Annotated[
    int | None, typer.Option("--trials", min=1, help=tr("health.cli.help.trials"))
]
BAND_STYLE = {"red": "red", "yellow": "yellow", "green": "green"}


def _lang(ws: Workspace, lang: str | None) -> str:
    return lang or ws.config.locale.language


def _project_dir(ws: Workspace, project: Path) -> Path:
    return ws.config.project_dir or project


def _open(project: Path) -> Workspace:
    from cxpulse.workspace import Workspace

    return Workspace.open(project)


def _settings(pairs: list[str] | None) -> dict[str, Any]:
    """``--set num_leaves=31 --set learning_rate=0.05`` as typed model settings."""
    from cxpulse.errors import ConfigError

    out: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(
                f"--set {pair!r}: write name=value, e.g. --set num_leaves=31",
                key="health.error.set_syntax",
                values={"pair": pair},
            )
        text = raw.strip()
        value: Any = text
        for cast in (int, float):
            try:
                value = cast(text)
                break
            except ValueError:
                continue
        out[key.strip()] = value
    return out


def _check_format(fmt: str) -> None:
    from cxpulse.errors import ConfigError

    if fmt not in ("table", "json"):
        raise ConfigError(
            f"--format {fmt!r}: use table or json",
            key="health.error.format",
            values={"format": fmt},
        )


@app.command("fit", help=tr("cli.health.fit.help"))
def fit(
    outcome: OutcomeOption = None,
    horizon: HorizonOption = None,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help=tr("cli.health.fit.model"))
    ] = None,
    as_of: AsOfOption = None,
    train_from: TrainFromOption = None,
    train_to: TrainToOption = None,
    settings: SetOption = None,
    tune: Annotated[bool, typer.Option("--tune", help=tr("health.cli.help.tune"))] = False,
    budget: BudgetOption = None,
    trials: TrialsOption = None,
    no_report: Annotated[
        bool, typer.Option("--no-report", help=tr("health.cli.help.no_report"))
    ] = False,
    fmt: FormatOption = "table",
    project: ProjectOption = Path("."),
    lang: LangOption = None,
) -> None:
    """Learn signal weights from past outcomes and save the model in the project's models/."""
    from cxpulse.health import active_model_name, fit_model, parse_horizon, save_model
    from cxpulse.health.frame_reuse import reusing_frames
    from cxpulse.health.stored_report import refresh_reports, stored_options
    from cxpulse.health.tuning import parse_budget

    _check_format(fmt)
    # the report's backtest reads the as-of dates the fit just read: build each once
    with reported_errors(), _open(project) as ws, reusing_frames():
        language = _lang(ws, lang)
        days = parse_horizon(horizon) if horizon else None
        result = fit_model(
            ws,
            model,
            outcome=outcome,
            horizon_days=days,
            as_of_dates=as_of or None,
            train_from=train_from,
            train_to=train_to,
            tune=tune,
            budget_seconds=parse_budget(budget) if budget else None,
            trials=trials,
            **_settings(settings),
        )
        path = save_model(
            _project_dir(ws, project),
            result.model,
            signals=result.signals,
            outcome=result.outcome,
            horizon_days=result.horizon_days,
            info=result.info(),
        )
        stored = []
        if not no_report:
            # the fitted model's report and the active one's (what the report page shows),
            # with the options the active one's report was computed with
            active = active_model_name(ws)
            kept = stored_options(_project_dir(ws, project), active)
            names = [result.model.name]
            if active != result.model.name and _has_model(ws, active):
                names.append(active)  # an active model not fitted yet has no report to redo
            stored = refresh_reports(
                ws,
                names,
                holdout=kept.get("holdout"),
                seed=int(kept.get("seed") or 0),
            )
        weights = result.model.weights_.sort_values(key=abs, ascending=False)
        if fmt == "json":
            doc = {
                "model": result.model.name,
                "outcome": result.outcome,
                "horizon_days": result.horizon_days,
                **result.info(),
                "weights": {str(k): float(v) for k, v in weights.items()},
                "path": str(path),
                "reports": {
                    r.model: {"path": str(r.path), "computed_at": r.computed_at,
                              "seconds": r.seconds}
                    for r in stored
                },
            }  # fmt: skip
            console.print_json(json.dumps(doc, default=str))
            return
        grid = Table()
        grid.add_column(gettext("health.col.signal", language))
        grid.add_column(gettext("health.col.weight", language), justify="right")
        for name, weight in weights.items():
            grid.add_row(escape(str(name)), _signed(weight, language))
        console.print(grid)
        console.print(
            gettext(
                "health.cli.fitted",
                language,
                model=term("model", result.model.name, language),
                outcome=result.outcome,
                horizon=result.horizon_days,
                n=format_number(result.n, language, 0),
                dates=len(result.as_of_dates),
                path=path,
            ),
            soft_wrap=True,
        )
        first, last = result.as_of_dates[0], result.as_of_dates[-1]
        console.print(
            gettext(
                "health.cli.training",
                language,
                n=format_number(result.n, language, 0),
                positives=format_number(result.positives, language, 0),
                rate=format_number(100 * result.base_rate, language, 1),
                first=first,
                last=last,
                shape=gettext(f"health.shape.{result.shape}", language),
            ),
            soft_wrap=True,
        )
        if result.no_data:
            console.print(
                gettext("health.cli.no_data", language, signals=", ".join(result.no_data)),
                soft_wrap=True,
            )
        if result.settings:
            shown = ", ".join(f"{k}={v}" for k, v in sorted(result.settings.items()))
            console.print(gettext("health.cli.settings", language, settings=shown), soft_wrap=True)
        _print_levels(result.info().get("levels", {}), language)
        if result.tuning:
            _print_tuning(result.tuning, language)
        for r in stored:
            console.print(
                gettext(
                    "health.cli.report_saved",
                    language,
                    model=term("model", r.model, language),
                    path=r.path,
                    seconds=format_number(r.seconds, language, 1),
                ),
                soft_wrap=True,
            )


def _print_tuning(tuning: dict[str, Any], language: str) -> None:
    console.print(
        gettext(
            "health.cli.tuned",
            language,
            trials=tuning["trials"],
            pruned=tuning["pruned"],
            seconds=format_number(tuning["seconds"], language, 0),
            cv=gettext(f"health.cv.{tuning['cv']}", language),
            folds=tuning["folds"],
            seed=tuning["seed"],
            best=_fmt(tuning["cv_roc_auc"], language),
            default=_fmt(tuning["default_cv_roc_auc"], language),
        ),
        soft_wrap=True,
    )


def _print_levels(levels: dict[str, Any], language: str) -> None:
    none = gettext("health.cli.none", language)
    for signal, doc in levels.items():
        kept = ", ".join(f"{lv} ({n:,})" for lv, n in doc["levels"].items()) or none
        rare = ", ".join(doc["rare"]) or none
        console.print(
            escape(gettext("health.cli.levels", language, signal=signal, levels=kept, rare=rare)),
            soft_wrap=True,
        )


def _has_model(ws: Any, name: str) -> bool:
    """Whether ``name`` can be read as a saved (or, for the expert, configured) model."""
    from cxpulse.errors import CxpulseError
    from cxpulse.health import active_model

    try:
        active_model(ws, name)
    except CxpulseError:
        return False
    return True


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
    """Score every active account 0-100 with the active model and store a snapshot."""
    from cxpulse.health import active_model, score_accounts
    from cxpulse.health.bands import band_cutoffs, band_label, band_meanings
    from cxpulse.health.features import health_config_of

    with reported_errors(), _open(project) as ws:
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
                format_number(row.score, language, 0),
                f"[{style}]{band_label(str(row.band), language)}[/]",
            )
        console.print(grid)
        console.print(
            gettext(
                "health.cli.scored",
                language,
                n=format_number(len(frame), language, 0),
                as_of=when,
                model=term("model", saved.name, language),
                red=int(counts.get("red", 0)),
                yellow=int(counts.get("yellow", 0)),
                green=int(counts.get("green", 0)),
            ),
            soft_wrap=True,
        )
        cfg = health_config_of(ws)
        meanings = band_meanings(
            frame["score"].to_numpy(),
            frame["band"].tolist(),
            band_cutoffs(saved.model, cfg.bands),
            outcome=saved.outcome,
            horizon_days=saved.horizon_days,
            lang=language,
        )
        for band in ("red", "yellow", "green"):
            console.print("  " + escape(meanings[band]), soft_wrap=True)
        for signal, levels in frame.attrs.get("unseen_levels", {}).items():
            shown = ", ".join(f"{lv} {format_number(n, language, 0)}" for lv, n in levels.items())
            text = gettext(
                "health.cli.unseen",
                language,
                signal=signal,
                n=format_number(sum(levels.values()), language, 0),
                levels=shown,
            )
            console.print(escape(text), soft_wrap=True)


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

    with reported_errors(), _open(project) as ws:
        result = explain_account(ws, account, model=model, as_of=as_of, lang=_lang(ws, lang))
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
    from cxpulse.health import active_model_name, clear_promotion, promote_model

    with reported_errors(), _open(project) as ws:
        language = _lang(ws, lang)
        folder = _project_dir(ws, project)
        if clear:
            clear_promotion(folder)
        elif model:
            promote_model(folder, model)
        name = active_model_name(ws)
        console.print(
            gettext("health.cli.active", language, model=term("model", name, language)),
            soft_wrap=True,
        )


def _fmt(value: float | None, language: str, digits: int = 3) -> str:
    return "-" if value is None or math.isnan(value) else format_number(value, language, digits)


def _signed(value: float, language: str) -> str:
    return ("+" if value > 0 else "") + format_number(value, language, 3)


def _pct(share: float, language: str, digits: int) -> str:
    """A share (0-1) as a percent, written as the metrics tables write one (61,2 %)."""
    return format_percent(100 * share, language, digits)


def _print_report(report: Any, language: str) -> None:
    rows = [{**m.to_dict(), "reason_in": {language: m.reason_in(language)}} for m in report.models]
    _print_evaluation(rows, language)


def _print_evaluation(models: list[dict[str, Any]], language: str) -> None:
    """The evaluation tables from the figures as ``to_dict()`` writes them (a stored report's
    too): missing values are None."""
    grid = Table()
    cols = ("model", "n", "bad_rate", "auc", "pr_auc", "brier", "ece")
    for key in cols:
        grid.add_column(gettext(f"health.col.{key}", language), justify="right")
    for m in models:
        grid.add_row(
            term("model", m["model"], language),
            format_number(m["n"], language, 0),
            _fmt(m["bad_rate"], language),
            _fmt(m["roc_auc"], language),
            _fmt(m["pr_auc"], language),
            _fmt(m["brier"], language),
            _fmt(m["ece"], language),
        )
    console.print(grid)
    risk = Table()
    for key in ("model", "top_decile_rate", "lift", "red_share", "red_rate", "red_ratio"):
        risk.add_column(gettext(f"health.col.{key}", language), justify="right")
    for m in models:
        red = m["bands"].get("red") or {}
        has_red = bool(red.get("n"))
        risk.add_row(
            term("model", m["model"], language),
            _fmt(m["top_decile_bad_rate"], language),
            _fmt(m["lift"], language, 2),
            _pct(red["share"], language, 0) if has_red else "-",
            _pct(red["bad_rate"], language, 1) if has_red else "-",
            format_number(red["ratio"], language, 1) + "×"
            if has_red and red.get("ratio") is not None
            else "-",
        )
    console.print(risk)
    for m in models:
        reason = (m.get("reason_in") or {}).get(language) or m.get("reason")
        if reason:
            key = "health.cli.not_evaluated" if not m["n"] else "health.cli.partly_evaluated"
            console.print(
                gettext(
                    key, language, model=term("model", m["model"], language), reason=escape(reason)
                ),
                soft_wrap=True,
            )


@app.command("evaluate", help=tr("cli.health.evaluate.help"))
def evaluate_command(
    outcome: OutcomeOption = None,
    horizon: HorizonOption = None,
    test_dates: Annotated[int, typer.Option(help=tr("cli.health.evaluate.test_dates"))] = 3,
    holdout: Annotated[
        float | None, typer.Option("--holdout", help=tr("health.cli.help.holdout"))
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help=tr("health.cli.help.seed"))] = 0,
    as_of: AsOfOption = None,
    tune: Annotated[bool, typer.Option("--tune", help=tr("health.cli.help.tune_evaluate"))] = False,
    budget: BudgetOption = None,
    trials: TrialsOption = None,
    fmt: FormatOption = "table",
    project: ProjectOption = Path("."),
    lang: LangOption = None,
) -> None:
    """Backtest expert, logistic and LightGBM side by side: rolling as-of dates, or accounts
    held out (--holdout; the only choice for a snapshot)."""
    from cxpulse.errors import ConfigError
    from cxpulse.health import evaluate, parse_horizon
    from cxpulse.health.dates import plan_dates
    from cxpulse.health.evaluate import default_models, evaluate_holdout_ws
    from cxpulse.health.features import health_config_of

    _check_format(fmt)
    with reported_errors(), _open(project) as ws:
        language = _lang(ws, lang)
        cfg = health_config_of(ws)
        days = parse_horizon(horizon) if horizon else cfg.horizon_days
        models = default_models(cfg.signals, cfg)
        plan = plan_dates(ws, days, as_of_dates=as_of or None)
        note = None
        if holdout is None and len(plan.dates) < 2:
            holdout = 0.3  # a snapshot has one as-of date: hold accounts out instead
            note = gettext("health.cli.snapshot_holdout", language, date=plan.dates[0])
        if tune and holdout is None:
            raise ConfigError(key="health.error.tune_holdout")
        tune_budget = None
        if tune:
            from cxpulse.health.tuning import DEFAULT_BUDGET_SECONDS, parse_budget

            tune_budget = parse_budget(budget) if budget else None
            if tune_budget is None and trials is None:
                tune_budget = DEFAULT_BUDGET_SECONDS
        if holdout is not None:
            report = evaluate_holdout_ws(
                ws,
                models,
                test_size=holdout,
                random_state=seed,
                outcome=outcome,
                horizon_days=days,
                as_of_dates=plan.dates,
                tune_budget=tune_budget,
                tune_trials=trials if tune else None,
            )
        else:
            report = evaluate(
                ws,
                models,
                outcome=outcome,
                horizon_days=days,
                test_dates=test_dates,
                as_of_dates=plan.dates,
            )
        if fmt == "json":
            console.print_json(json.dumps(report.to_dict(), default=str))
            return
        if note:
            console.print(note, soft_wrap=True)
        if report.method == "holdout":
            console.print(
                gettext(
                    "health.cli.evaluated_holdout",
                    language,
                    outcome=report.outcome,
                    horizon=report.horizon_days,
                    share=format_number(100 * (report.test_size or 0), language, 0),
                    seed=report.seed,
                    dates=len(report.as_of_dates),
                ),
                soft_wrap=True,
            )
        else:
            dates = sorted({d for m in report.models for d in m.test_dates})
            console.print(
                gettext(
                    "health.cli.evaluated",
                    language,
                    outcome=report.outcome,
                    horizon=report.horizon_days,
                    dates=len(dates),
                ),
                soft_wrap=True,
            )
        _print_report(report, language)
        for name, tuning in report.tuning.items():
            console.print(escape(name) + ": ", end="")
            _print_tuning(tuning, language)


@app.command()
def report(
    refresh: Annotated[bool, typer.Option("--refresh", help=tr("health.cli.help.refresh"))] = False,
    holdout: Annotated[
        float | None, typer.Option("--holdout", help=tr("health.cli.help.holdout"))
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help=tr("health.cli.help.seed"))] = None,
    fmt: FormatOption = "table",
    project: ProjectOption = Path("."),
    lang: LangOption = None,
) -> None:
    """The active model's report: training data, settings, backtest beside the expert model,
    lift by decile and calibration drift on recent as-of dates (refit advice). Shows the
    report stored when the model was fitted; --refresh recomputes it."""
    from cxpulse.health import active_model_name
    from cxpulse.health.stored_report import read_report, refresh_reports, report_view

    _check_format(fmt)
    with reported_errors(), _open(project) as ws:
        language = _lang(ws, lang)
        name = active_model_name(ws)
        stored = read_report(_project_dir(ws, project), name)
        kept = stored.options if stored is not None else {}
        chosen_holdout = holdout if holdout is not None else kept.get("holdout")
        chosen_seed = int(seed if seed is not None else kept.get("seed") or 0)
        options = {"holdout": chosen_holdout, "seed": chosen_seed}
        # other options than the stored report's are another report: compute it
        if refresh or stored is None or options != kept:
            if fmt != "json":
                key = (
                    "health.cli.report_computing"
                    if refresh or stored
                    else "health.cli.report_absent"
                )
                console.print(
                    gettext(key, language, model=term("model", name, language)), soft_wrap=True
                )
            refresh_reports(ws, [name], holdout=chosen_holdout, seed=chosen_seed)
        doc = report_view(ws, name)
        assert doc is not None  # stored just above when it was missing
        if fmt == "json":
            console.print_json(json.dumps(doc, default=str))
            return
        _print_stored_report(doc, language)


def _print_stored_report(doc: dict[str, Any], language: str) -> None:
    info = doc["training"]
    console.print(
        gettext(
            "health.cli.report_model",
            language,
            model=term("model", doc["model"], language),
            at=info.get("fitted_at") or "-",
        ),
        soft_wrap=True,
    )
    stored = doc["stored"]
    when = str(stored["computed_at"])[:19].replace("T", " ")
    if stored["stale"]:
        reasons = ", ".join(
            gettext(f"health.report.stale.{r}", language) for r in stored["stale_because"]
        )
        console.print(
            "[yellow]"
            + escape(gettext("health.cli.report_stale", language, at=when, reasons=reasons))
            + "[/]",
            soft_wrap=True,
        )
    else:
        seconds = format_number(stored["seconds"], language, 1)
        console.print(
            gettext("health.cli.report_current", language, at=when, seconds=seconds),
            soft_wrap=True,
        )
    if "n" in info and "positives" in info:
        dates = info.get("as_of_dates") or ["-"]
        console.print(
            gettext(
                "health.cli.training",
                language,
                n=format_number(info["n"], language, 0),
                positives=format_number(info["positives"], language, 0),
                rate=format_number(100 * float(info.get("base_rate", 0)), language, 1),
                first=dates[0],
                last=dates[-1],
                shape=gettext(f"health.shape.{info.get('shape', 'history')}", language),
            ),
            soft_wrap=True,
        )
    if info.get("settings"):
        shown = ", ".join(f"{k}={v}" for k, v in sorted(info["settings"].items()))
        console.print(gettext("health.cli.settings", language, settings=shown), soft_wrap=True)
    if info.get("tuning"):
        _print_tuning(info["tuning"], language)
    _print_evaluation(doc["evaluation"]["models"], language)
    deciles = Table(title=gettext("health.cli.deciles", language))
    for key in ("decile", "n", "bad_rate", "lift"):
        deciles.add_column(gettext(f"health.col.{key}", language), justify="right")
    for d in doc["lift_by_decile"]:
        deciles.add_row(
            str(d["decile"]),
            format_number(d["n"], language, 0),
            _fmt(d["bad_rate"], language),
            _fmt(d["lift"], language, 2),
        )
    console.print(deciles)
    for p in doc["drift"]:
        console.print(
            gettext(
                "health.cli.drift",
                language,
                as_of=p["as_of"],
                predicted=format_number(100 * p["predicted"], language, 1),
                observed=format_number(100 * p["observed"], language, 1),
                n=format_number(p["n"], language, 0),
            ),
            soft_wrap=True,
        )
    key = "health.cli.refit" if doc["refit_recommended"] else "health.cli.no_refit"
    if doc["drift"]:
        console.print(gettext(key, language), soft_wrap=True)
