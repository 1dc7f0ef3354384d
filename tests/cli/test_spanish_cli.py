"""In Spanish mode the command line speaks Spanish: help, tables, messages, numbers, errors.

The commands run through the real entry point in a fresh interpreter with CXPULSE_LANG=es
against a small demo project; their whole output is searched for any text that exists only
in the English catalogue.
"""

from __future__ import annotations

import json
import os
import re
import string
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import typer.main

from cxpulse.cli.app import app
from cxpulse.locale import catalog, term

SRC = Path(__file__).resolve().parents[2] / "src"

# Runs each argument list through the CLI in one interpreter (imports paid once) and prints a
# JSON list of [args, exit code, stdout + stderr].
RUNNER = """
import contextlib, io, json, sys
from cxpulse.cli import main
results = []
for args in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    sys.argv = ["cxpulse", *args]
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    results.append([args, code, out.getvalue() + err.getvalue()])
sys.stdout.write(json.dumps(results))
"""


def _run_cli(arg_lists: list[list[str]], lang: str) -> list[tuple[list[str], int, str]]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "CXPULSE_LANG": lang, "COLUMNS": "400"}
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(arg_lists)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [(a, c, o) for a, c, o in json.loads(done.stdout)]


def _english_only_fragments() -> dict[str, str]:
    """Fixed pieces (12+ characters, markup and placeholders removed) of English messages
    whose Spanish text differs: finding one in Spanish output means a missed translation."""
    es, en = catalog("es"), catalog("en")
    spanish_text = "\n".join(es.values())
    found: dict[str, str] = {}
    for key, text in en.items():
        if es.get(key) == text:
            continue
        for literal, *_ in string.Formatter().parse(text.replace("{}", "")):
            for piece in re.split(r"\[/?[a-z ]*\]|\n", literal or ""):
                piece = piece.strip(" .,:;()'\"")
                if len(piece) >= 12 and piece not in spanish_text:
                    found.setdefault(piece, key)
    return found


@pytest.fixture(scope="module")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cxpulse.demo import build_demo

    folder = tmp_path_factory.mktemp("demo_es")
    build_demo(folder, size="tiny", today=date(2026, 11, 25), progress=False)
    return folder


def _commands(project: Path) -> list[list[str]]:
    p = ["-p", str(project)]
    return [
        ["status", *p],
        ["metrics", "nps", "csat", "ces", *p],
        ["metrics", "show", "nps", "--by", "segment", *p],
        ["metrics", "compare", "nps", "--period", "2026-10", "--vs", "2026-09", *p],
        ["metrics", "list", *p],
        ["health", "score", "--as-of", "2026-11-01", *p],
        ["cases", "list", *p],
        ["cases", "show", "1", *p],
        ["cases", "indicators", *p],
        ["surveys", "list", *p],
        ["responses", "list", *p],
        ["users", "list", *p],
        *_number_tables(project),
        ["demo", "--dir", str(project.parent / "demo_cli"), "--size", "tiny"],
        *_usage_errors(project),
    ]


def _number_tables(project: Path) -> list[list[str]]:
    """Commands whose tables are full of figures."""
    p = ["-p", str(project)]
    return [
        ["metrics", "show", "nps", "csat", "ces", "churn_rate", "aht", "--by", "segment", *p],
        ["metrics", "survival", "--by", "segment", *p],
        ["health", "evaluate", *p],
        ["jobs", "list", *p],
        ["jobs", "history", *p],
    ]


# A figure in English notation: a leading "0.", one or two decimals after a dot, or
# thousands separated by commas. (Spanish writes 0,5 and 12.487.)
ENGLISH_NUMBER = re.compile(
    r"(?<![\d.,])(0\.\d+|\d+\.\d{1,2}(?!\d)|[1-9]\d{0,2}(,\d{3})+(?![\d,]))"
)


def test_english_number_pattern_tells_the_notations_apart():
    assert ENGLISH_NUMBER.findall("0.068 | 61.2 % | 12,487") and not ENGLISH_NUMBER.search(
        "0,068 | 61,2 % | 12.487 | 2026-09-01 | 00:20:36.135168 | 1.234.567"
    )


def _usage_errors(project: Path) -> list[list[str]]:
    """Commands that fail (exit code 2): ours, and Typer's own usage errors."""
    p = ["-p", str(project)]
    return [
        ["metrics", "npz", *p],  # unknown metric
        ["cases", "show", "999999", *p],  # no such case
        ["cases", "show", *p],  # missing argument
        ["metrics", "show", "nps", "--bogus", *p],  # no such option
        ["metrics", "show", "nps", "--fromm", "2026-01-01", *p],  # ... with suggestions
        ["cases", "list", "--limit", "abc", *p],  # a value pydantic refuses
        ["cases", "lst", *p],  # no such command, with a suggestion
        ["cases", "list", "extra", *p],  # an argument too many
        ["metrics", "show", "nps", "--format", "xml", *p],  # a value the command refuses
    ]


def _all_help() -> list[list[str]]:
    def walk(command: object, path: list[str]) -> list[list[str]]:
        found = [path]
        children = getattr(command, "commands", {})
        for name in sorted(children):
            found += walk(children[name], [*path, name])
        return found

    return [[*path, "--help"] for path in walk(typer.main.get_command(app), [])]


def test_english_fragments_are_found_in_english_output(demo_project: Path):
    # The check can fail: the same commands in English show English catalogue text.
    fragments = _english_only_fragments()
    assert len(fragments) > 200
    results = _run_cli([["metrics", "list", "-p", str(demo_project)], ["--help"]], "en")
    text = "\n".join(out for _, _, out in results)
    assert [f for f in fragments if f in text]


def test_spanish_mode_prints_no_english_catalogue_text(demo_project: Path):
    fragments = _english_only_fragments()
    results = _run_cli([*_commands(demo_project), *_all_help()], "es")
    leaks = {
        " ".join(args): [f"{f!r} ({fragments[f]})" for f in fragments if f in out]
        for args, _code, out in results
    }
    assert {k: v for k, v in leaks.items() if v} == {}
    by_args = {" ".join(a): (c, o) for a, c, o in results}
    code, out = by_args[f"metrics npz -p {demo_project}"]
    assert code == 2 and "no existe" in out and "Traceback" not in out
    tables = [" ".join(a) for a in [*_number_tables(demo_project), *_commands(demo_project)[:12]]]
    english_numbers = {
        args: ENGLISH_NUMBER.findall(out) for args, (_c, out) in by_args.items() if args in tables
    }
    assert {k: v for k, v in english_numbers.items() if v} == {}
    (demo_out,) = [o for a, _c, o in results if a[:2] == ["demo", "--dir"]]
    assert "filas cargadas en el espacio de análisis" in demo_out
    assert re.search(r"\d\.\d{3} filas", demo_out)  # thousands separated the Spanish way
    code, out = by_args[f"cases show 999999 -p {demo_project}"]
    assert code == 2 and "999999" in out and "Traceback" not in out
    failing = [" ".join(a) for a in _usage_errors(demo_project)]
    for args, code, out in results:
        if " ".join(args) in failing:
            assert code == 2 and "Traceback" not in out, (args, out[-2000:])
        else:
            assert code == 0, (args, out[-2000:])
    # Words too short for the fragment scan, and Typer's own messages.
    for args, _code, out in results:
        typer_types = ("<str>", "<int", "<float>", "<bool>", "<path>", "<list[")
        for english in ("Usage:", "[OPTIONS]", "COMMAND [ARGS]", "Try '", "Invalid value",
                        *typer_types):  # fmt: skip
            assert english not in out, (args, english)
    expected = {
        "cases show -p": "Falta el argumento 'case_id'.",
        "metrics show nps --bogus": "No existe la opción: --bogus",
        "metrics show nps --fromm": "opciones posibles: --format, --from",
        "cases list --limit abc -p": "Valor no válido para '--limit': Debe ser un número entero.",
        "cases lst -p": "No existe el comando 'lst'. ¿Quisiste decir 'list'?",
        "cases list extra -p": "Sobran argumentos (extra)",
        "metrics show nps --format xml": "table, csv o json",
    }
    (fit_help,) = [o for a, _c, o in results if a == ["health", "fit", "--help"]]
    assert re.search(r"--set\s+<texto…>", fit_help) and re.search(r"--trials\s+<entero>", fit_help)
    assert re.search(r"--tune\s+Busca", fit_help)  # a flag takes no value: no type shown
    for start, text in expected.items():
        (out,) = [o for a, _c, o in results if " ".join(a).startswith(start)]
        assert text in out and "Uso: cxpulse" in out and "Prueba 'cxpulse" in out, out


def test_spanish_output_uses_spanish_numbers_and_terms(demo_project: Path):
    results = _run_cli(
        [
            ["metrics", "nps", "csat", "--from", "2024-01-01", "-p", str(demo_project)],
            ["health", "score", "--as-of", "2026-11-01", "--top", "50", "-p", str(demo_project)],
            ["--help"],
        ],
        "es",
    )
    (_, code_m, metrics_out), (_, code_h, health_out), (_, _, help_out) = results
    assert code_m == 0 and code_h == 0, metrics_out + health_out
    assert "Indicador" in metrics_out
    nps_methods = ("tango score interval (trinomial)", "multinomial wald")
    assert any(term("method", m, "es") in metrics_out for m in nps_methods)
    assert re.search(r"\d,\d", metrics_out)  # decimal comma
    assert not re.search(r"\d\.\d\b", metrics_out.split("Indicador", 1)[1].split("\n", 3)[2])
    assert "Roja" in health_out or "Amarilla" in health_out or "Verde" in health_out
    assert "Rojo" not in health_out
    assert "Comandos" in help_out and "Opciones" in help_out


def test_the_load_report_writes_counts_and_seconds_the_spanish_way(tmp_path: Path):
    rows = [
        f"c-{i:05d},Cuenta {i},SMB,retail,ES,ana@empresa.es,monthly,2024-03-01,,120.5,5"
        for i in range(1500)
    ]
    header = "account_id,name,segment,industry,country,owner,plan,start_date,end_date,mrr,licenses"
    (tmp_path / "cuentas.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    project = tmp_path / "proj"
    results = _run_cli(
        [
            ["init", str(project), "--language", "es"],
            ["load", "accounts", str(tmp_path / "cuentas.csv"), "-p", str(project)],
        ],
        "es",
    )
    (_, code, out) = results[1]
    assert code == 0, out
    assert "1.500 filas (1.500 nuevas" in out, out
    assert re.search(r"en \d+,\d{2} s", out), out
    report = out.split("filas", 1)[1].split("\n", 1)[0]
    assert ENGLISH_NUMBER.findall(report) == [], report


@pytest.mark.parametrize("lang", ["es", "en"])
def test_help_keeps_the_setting_names_it_quotes(lang: str):
    """Typer reads help as Rich markup, so ``[metrics]`` or ``[[health.signals]]`` in a help
    text vanished from --help. Every bracketed name in a command's or option's help (from the
    catalogue, in ``lang``) is printed as written."""
    bracketed = re.compile(r"\[\[?[a-z][\w.<>{}]*\]\]?")
    # the help texts were made at import in this process's language: find their keys in either
    key_of = {v: k for other in ("en", "es") for k, v in catalog(other).items()}
    wanted: dict[str, list[str]] = {}
    root = typer.main.get_command(app)
    for args in _all_help():
        command = root
        for name in args[:-1]:
            command = command.commands[name]  # type: ignore[attr-defined]
        texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
        keys = [key_of[t] for t in texts if t in key_of]
        names = [m for k in keys for m in bracketed.findall(catalog(lang)[k])]
        if names:
            wanted[" ".join(args)] = names
    assert "metrics ratings --help" in wanted  # the check has texts to check
    results = _run_cli([a.split() for a in wanted], lang)
    missing = {
        " ".join(args): [n for n in wanted[" ".join(args)] if n not in " ".join(out.split())]
        for args, _code, out in results
    }
    assert {k: v for k, v in missing.items() if v} == {}
