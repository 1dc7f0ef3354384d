"""A bad cxpulse.toml is reported in the user's language, through the commands a user runs:
the file, then each key path with the value written there and what is wrong. ``str()`` of
the error stays English (logs and Python callers read it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxpulse import load_config
from cxpulse.errors import ConfigError
from tests.locale.refusals import refused

CUSTOM = (
    '[[metrics.custom]]\nname = "support_csat"\nlabel_es = "CSAT"\nlabel_en = "CSAT"\n'
    'table = "responses"\nstatistic = "proportion"\nvalue_column = "score"\n'
    'success = { column = "score", op = ">=", value = 4 }\n'
)

# (cxpulse.toml, key path and value as the report shows them, Spanish reason, English reason)
CASES = [
    (
        "[surveys]\nsync_intervall_s = 5\n",
        "surveys.sync_intervall_s:",
        "clave desconocida; ¿quisiste decir sync_interval_s?",
        "unknown key; did you mean sync_interval_s?",
    ),
    (
        "colour = 'red'\n",
        "colour:",
        "clave desconocida (revisa cómo está escrita o quítala)",
        "unknown key (check its spelling, or remove it)",
    ),
    (
        "[locale]\ntimezone = 'Mars/Olympus'\n",
        'locale.timezone = "Mars/Olympus":',
        "zona horaria desconocida 'Mars/Olympus'; usa un nombre IANA como 'America/Mexico_City'",
        "unknown time zone 'Mars/Olympus'; use an IANA name such as 'America/Mexico_City'",
    ),
    (
        "[metrics]\npurchase_statuses = []\n",
        "metrics.purchase_statuses = []:",
        "la lista está vacía, así que ningún pedido contaría como compra",
        "the list is empty, so no order would be a purchase",
    ),
    (
        "[metrics]\npurchase_statuses = ['completed', 'Refunded']\n",
        'metrics.purchase_statuses = ["completed", "Refunded"]:',
        "los estados refunded son cancelaciones y nunca compras; quítalos",
        "the statuses refunded are cancellations and never purchases; remove them",
    ),
    (
        CUSTOM + 'filters = [{ column = "kind", op = "like", value = "c%" }]\n',
        'metrics.custom.0.filters.0.op = "like":',
        "el operador 'like' no existe; usa uno de: ==, !=, in",
        "unknown op 'like'; use one of: ==, !=, in",
    ),
    (
        CUSTOM + 'filters = [{ column = "kind", op = "in", value = "csat" }]\n',
        'metrics.custom.0.filters.0.value = "csat":',
        "el operador 'in' sobre 'kind' necesita una lista, p. ej. value = ['a', 'b']",
        "op 'in' on 'kind' needs a list, e.g. value = ['a', 'b']",
    ),
    (
        CUSTOM.replace('"responses"', '"orderz"'),
        'metrics.custom.0.table = "orderz":',
        "'orderz' no es una tabla canónica; usa una de:",
        "table 'orderz' is not a canonical table; use one of:",
    ),
    (
        "[surveys]\nsync_interval_s = 'soon'\n",
        'surveys.sync_interval_s = "soon":',
        "Debe ser un número.",
        "Must be a number.",
    ),
    (
        "[locale]\nlanguage = 'fr'\n",
        'locale.language = "fr":',
        "Debe ser uno de estos valores: 'es' o 'en'.",
        "Must be one of: 'es' or 'en'.",
    ),
    (
        "[metrics]\nindustry = 'unicorns'\n",
        'metrics.industry = "unicorns":',
        "la industria 'unicorns' no existe en los benchmarks; usa una de:",
        "unknown industry 'unicorns'; use one of:",
    ),
    (
        "[web]\nsignin_account_limits = 'lots'\n",
        'web.signin_account_limits = "lots":',
        "'lots' no es una lista de límites; escribe, p. ej., '5/15 minutes;20/day'",
        "'lots' is not a list of limits; write e.g. '5/15 minutes;20/day'",
    ),
    (
        "[tables.accounts]\ndelimiter = ';;'\n",
        'tables.accounts.delimiter = ";;":',
        "el delimitador debe ser un solo carácter (o 'tab'",
        "the delimiter must be one character (or 'tab'",
    ),
    (
        "[locale\nlanguage = 'es'\n",
        "",
        "no es TOML válido en la línea 1, columna 8: falta ']' al final de la declaración de la "
        "tabla",
        "not valid TOML at line 1, column 8: expected ']' at the end of a table declaration",
    ),
    (
        "[locale]\ntimezone = Europe/Madrid\n",
        "",
        "no es TOML válido en la línea 2, columna 12: valor no válido (¿falta poner un texto "
        "entre comillas?)",
        "not valid TOML at line 2, column 12: invalid value (is a text missing its quotes?)",
    ),
    (
        "[tables.accounts]\npath = 'a.csv'\n[tables.accounts]\n",
        "",
        "no es TOML válido en la línea 3, columna 17: tables.accounts está declarada dos veces",
        "not valid TOML at line 3, column 17: cannot declare tables.accounts twice",
    ),
    (
        "[metrics]\nimportant_priorities = ['high', 'urgent'\n",
        "",
        "no es TOML válido al final del archivo: lista sin cerrar (falta ']')",
        "not valid TOML at the end of the file: unclosed array (missing ']')",
    ),
]


def _project(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "cxpulse.toml").write_text(text, encoding="utf-8")
    return folder


def _line(where: str, reason: str) -> str:
    return f"  - {where} {reason}" if where else f"  - {reason}"


@pytest.mark.parametrize(("toml", "where", "es", "en"), CASES)
def test_a_bad_cxpulse_toml_is_reported_in_the_users_language(
    tmp_path: Path, toml: str, where: str, es: str, en: str
) -> None:
    folder = _project(tmp_path, toml)
    spanish = refused(["status", "-p", str(folder)], "es")
    assert f"{folder / 'cxpulse.toml'} no es válido:" in spanish
    assert _line(where, es) in spanish
    assert en not in spanish and "is not valid" not in spanish
    assert "Corrígelo" in spanish

    english = refused(["status", "-p", str(folder)], "en")
    assert f"{folder / 'cxpulse.toml'} is not valid:" in english
    assert _line(where, en) in english
    assert es not in english

    # the Python API: English text, and the same report in Spanish on demand
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    assert en in str(err.value) and es in err.value.message_in("es")
    assert err.value.key == "sec.config.invalid" and len(err.value.problems) == 1


def test_every_problem_of_the_file_is_listed_in_one_report(tmp_path: Path) -> None:
    folder = _project(
        tmp_path,
        "[locale]\ntimezone = 'Mars/Olympus'\n[surveys]\nsync_interval_s = -5\nbar = 2\n",
    )
    spanish = refused(["status", "-p", str(folder)], "es")
    lines = [line for line in spanish.splitlines() if line.startswith("  - ")]
    assert lines == [
        "  - locale.timezone = \"Mars/Olympus\": zona horaria desconocida 'Mars/Olympus'; "
        "usa un nombre IANA como 'America/Mexico_City'",
        "  - surveys.sync_interval_s = -5: Debe ser mayor o igual que 0.",
        "  - surveys.bar: clave desconocida (revisa cómo está escrita o quítala)",
    ]


def test_serve_refuses_a_bad_file_in_spanish_before_starting(tmp_path: Path) -> None:
    folder = _project(tmp_path, "[web]\nupload_max_mb = 0\n")
    out = refused(["serve", "-p", str(folder), "--port", "1"], "es")
    assert "web.upload_max_mb = 0: Debe ser mayor o igual que 1." in out
    assert "Must be" not in out


SIGNAL = '[[health.signals]]\nname = "usage"\nfamily = "product"\nsource = "usage_frequency"\n'
HEALTH_CASES = [
    (
        SIGNAL + 'direction = "higher_is_better"\nbad = 100\ngood = 10\n',
        'health.signals.0.direction = "higher_is_better":',
        "señal 'usage': direction es higher_is_better, pero good=10 y bad=100; "
        "intercámbialos o cambia direction",
        "signal 'usage': direction is higher_is_better but good=10 and bad=100; "
        "swap them or change the direction",
    ),
    (
        SIGNAL + "bad = 3\ngood = 3\n",
        "health.signals.0.good = 3:",
        "señal 'usage': 'bad' y 'good' deben ser distintos",
        "signal 'usage': 'bad' and 'good' must differ",
    ),
    (
        SIGNAL + "bad = 0\ngood = 1\npoints = { a = 1 }\n",
        "health.signals.0.points = {a = 1}:",
        "señal 'usage': 'points' es para las señales categóricas",
        "signal 'usage': 'points' is for categorical signals",
    ),
    (
        SIGNAL.replace('"usage_frequency"', '"accounts.plan"')
        + 'type = "categorical"\npoints = { monthly = 70, annual = 5 }\n',
        "health.signals.0.points = {monthly = 70, annual = 5}:",
        "señal 'usage': el nivel 'monthly' tiene 70 puntos; los puntos van respecto de un 50 "
        "neutro, entre -50 y 50",
        "signal 'usage': points for 'monthly' is 70; points are relative to a neutral 50, "
        "between -50 and 50",
    ),
    (
        SIGNAL.replace('"usage_frequency"', '"accounts.plan"') + 'type = "categorical"\n',
        "health.signals.0.points:",
        "señal 'usage': es categórica con peso 1, pero no tiene puntos por nivel",
        "signal 'usage': categorical with weight 1 but no points per level",
    ),
    (
        "[health.bands]\nred_below = 60\ngreen_from = 50\n",
        "health.bands:",
        "green_from debe ser mayor que red_below (ahora 50 y 60)",
        "green_from must be greater than red_below (now 50 and 60)",
    ),
    (
        "[health.bands]\nred_ratio = 1.2\nyellow_ratio = 1.5\n",
        "health.bands:",
        "yellow_ratio debe ser menor que red_ratio (ahora 1.5 y 1.2)",
        "yellow_ratio must be smaller than red_ratio (now 1.5 and 1.2)",
    ),
    (
        "[health.model]\nname = 'logistic'\ncalibrationn = 'sigmoid'\n",
        "health.model.calibrationn:",
        "clave desconocida; ¿quisiste decir calibration?",
        "unknown key; did you mean calibration?",
    ),
]


@pytest.mark.parametrize(("toml", "where", "es", "en"), HEALTH_CASES)
def test_a_bad_health_section_is_reported_in_the_users_language(
    tmp_path: Path, toml: str, where: str, es: str, en: str
) -> None:
    folder = _project(tmp_path, toml)
    spanish = refused(["health", "score", "-p", str(folder)], "es")
    assert "cxpulse.toml [health] no es válido:" in spanish
    assert f"  - {where} {es}" in spanish
    assert en not in spanish and "is not valid" not in spanish

    english = refused(["health", "score", "-p", str(folder)], "en")
    assert "cxpulse.toml [health] is not valid:" in english
    assert f"  - {where} {en}" in english
    assert es not in english


def test_a_bad_loop_section_is_reported_in_both_languages() -> None:
    from cxpulse.loop.rules import parse_loop_config

    raw = {"max_attemps": 3, "rules": [{"name": "x", "trigger": {"kind": "detractor"}}] * 2}
    with pytest.raises(ConfigError) as err:
        parse_loop_config(raw)
    assert str(err.value).splitlines() == [
        "cxpulse.toml [loop] is not valid:",
        "  - loop.max_attemps: unknown key; did you mean max_attempts?",
        "Fix it (the commented example 'cxpulse init' writes explains it) and retry.",
    ]
    spanish = err.value.message_in("es")
    assert spanish.startswith("cxpulse.toml [loop] no es válido:")
    assert "loop.max_attemps: clave desconocida; ¿quisiste decir max_attempts?" in spanish
    assert "unknown key" not in spanish


# Each kind of syntax error tomllib reports, written as a user might
TOML_MISTAKES = [
    "=1\n",
    "[a\n",
    "[[a]\nx=1\n",
    "a = 1 2\n",
    'a = "x\x01"\n',
    "a=1\na=2\n",
    "x = {a=1}\nx.b=2\n",
    "k\n",
    "x = [1, 2\n",
    "x = {a=1, a=2}\n",
    "x = {a=1\n",
    'p = "C:\\q"\n',
    'p = "\\uZZZZ"\n',
    'p = "\\uD800"\n',
    'p = "abc\n',
    "v = nope\n",
    "[x]\n[x]\n",
]


@pytest.mark.parametrize("text", TOML_MISTAKES)
def test_every_kind_of_toml_syntax_error_reads_in_spanish(tmp_path: Path, text: str) -> None:
    import tomllib

    with pytest.raises(tomllib.TOMLDecodeError) as parsed:
        tomllib.loads(text)
    english = str(parsed.value).split(" (at ")[0]
    folder = _project(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    (problem,) = err.value.problems
    assert problem.detail is not None and problem.detail[0] != "config.toml.other"
    spanish = err.value.message_in("es")
    assert "no es TOML válido" in spanish and english not in spanish
    assert str(err.value).startswith(f"{folder / 'cxpulse.toml'} is not valid:")
