"""What a user is told when a metric cannot be computed, in Spanish and in English, through
the commands a user runs on the public samples (``cxpulse samples load``): key drivers,
custom metrics, survival, and the retention and repurchase metrics that explain why they
refuse. Spanish mode must show the Spanish text, none of the English one, and no traceback;
English mode the English text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cxpulse.cli.app import app
from tests.cli.test_spanish_cli import _english_only_fragments
from tests.web.webdata import add_users, sign_in

CUSTOM = """
[[metrics.custom]]
name = "wifi_ok"
label_es = "Wifi bien valorado"
label_en = "Wifi rated well"
table = "responses"
statistic = "proportion"
value_column = "score"
filters = [{ column = "touchpoint", op = "==", value = "Inflight wifi service" }]
success = { column = "score", op = ">=", value = 4 }

[[metrics.custom]]
name = "gate_ok"
label_es = "Puerta bien valorada"
label_en = "Gate rated well"
table = "responses"
statistic = "proportion"
value_column = "score"
filters = [{ column = "gate", op = "==", value = "B12" }]
success = { column = "score", op = ">=", value = 4 }
"""


def _sample(folder: Path, name: str, shared_data: Path) -> Path:
    runner = CliRunner()
    done = runner.invoke(app, ["init", str(folder)])
    assert done.exit_code == 0, done.output
    done = runner.invoke(
        app, ["samples", "load", name, "-p", str(folder), "--data", str(shared_data)]
    )
    assert done.exit_code == 0, done.output
    return folder


@pytest.fixture(scope="module")
def airline_project(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    folder = _sample(tmp_path_factory.mktemp("airline") / "proj", "airline", shared_data)
    with (folder / "cxpulse.toml").open("a", encoding="utf-8") as toml:
        toml.write(CUSTOM)
    return folder


@pytest.fixture(scope="module")
def retail_project(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    return _sample(tmp_path_factory.mktemp("retail") / "proj", "online_retail", shared_data)


@pytest.fixture(scope="module")
def airline(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / "airline" / "airline_satisfaction_test.csv")


@pytest.fixture(scope="module")
def english_only() -> dict[str, str]:
    return _english_only_fragments()


def _refused(args: list[str], lang: str) -> str:
    """The output of a command the CLI refuses: exit 2 with a message, never a traceback."""
    result = CliRunner().invoke(app, args, env={"CXPULSE_LANG": lang, "COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return " ".join(result.output.split())  # the message, whatever the terminal wrapping


def _both(
    args: list[str], spanish: str, english: str, english_only: dict[str, str]
) -> tuple[str, str]:
    es, en = _refused(args, "es"), _refused(args, "en")
    assert spanish in es, es
    assert english in en, en
    assert english not in es and spanish not in en
    leaked = sorted(piece for piece in english_only if piece in es)
    assert leaked == [], es
    return es, en


def _drivers(project: Path, columns: str, success: str = "satisfied") -> list[str]:
    return [
        "metrics",
        "drivers",
        "--table",
        "accounts",
        "--outcome",
        "satisfaction",
        "--success",
        success,
        "--drivers",
        columns,
        "-p",
        str(project),
    ]


def test_drivers_refuse_the_outcome_as_a_driver(airline_project: Path, english_only) -> None:  # type: ignore[no-untyped-def]
    _both(
        _drivers(airline_project, "satisfaction,age"),
        "impulsores clave: 'satisfaction' es la columna de resultado; no puede ser también "
        "impulsora. Quítala de las columnas impulsoras.",
        "key drivers: 'satisfaction' is the outcome; it cannot be a driver too.",
        english_only,
    )


def test_drivers_refuse_too_few_complete_rows(
    airline_project: Path, airline: pd.DataFrame, english_only
) -> None:  # type: ignore[no-untyped-def]
    # the airline file has no revenue: every account's mrr is empty, so no row is complete
    assert "mrr" not in airline.columns
    _both(
        _drivers(airline_project, "mrr,age"),
        "impulsores clave: solo hay 0 filas completas (con el resultado y todas las columnas "
        "impulsoras) para 2 impulsores, y hacen falta al menos 4",
        "key drivers: only 0 complete rows (with the outcome and every driver) for 2 drivers",
        english_only,
    )


def test_drivers_name_a_missing_column_and_the_tables_columns(
    airline_project: Path, english_only
) -> None:  # type: ignore[no-untyped-def]
    es, _ = _both(
        _drivers(airline_project, "wifi,age"),
        "impulsores clave: no hay columna 'wifi' en la tabla 'accounts' (sus columnas: ",
        "key drivers: no column 'wifi' in table 'accounts' (its columns: ",
        english_only,
    )
    assert "flight_distance" in es and "indica columnas de la tabla o atributos declarados" in es


def test_drivers_tell_when_no_row_has_the_success_value(
    airline_project: Path, airline: pd.DataFrame, english_only
) -> None:  # type: ignore[no-untyped-def]
    values = ", ".join(sorted(airline.satisfaction.unique()))
    assert values == "neutral or dissatisfied, satisfied"  # 'Satisfied' is none of them
    _both(
        _drivers(airline_project, "age,flight_distance", success="Satisfied"),
        "impulsores clave: ninguna fila completa tiene en 'satisfaction' un valor de éxito "
        f"(Satisfied), así que el resultado nunca varía; compara los valores de éxito con los "
        f"de la columna ({values}).",
        "key drivers: no complete row has a success value (Satisfied) in 'satisfaction'",
        english_only,
    )


def test_drivers_count_non_numeric_values_in_each_languages_notation(
    airline_project: Path, airline: pd.DataFrame, english_only
) -> None:  # type: ignore[no-untyped-def]
    more = int(airline["Class"].notna().sum()) - 1  # the sample loads Class as the plan
    first = airline["Class"].iloc[0]
    assert more > 1000
    spanish_more = f"{more:,}".replace(",", ".")  # 25.975: the Spanish thousands mark
    _both(
        _drivers(airline_project, "plan,age"),
        f"impulsores clave: la columna 'plan' debe tener números, pero tiene '{first}' "
        f"(y {spanish_more} más); elige columnas de valoración numéricas.",
        f"key drivers: column 'plan' must hold numbers, but has '{first}' (and {more:,} more)",
        english_only,
    )


def test_drivers_refuse_a_rating_that_never_varies_in_the_file(
    airline: pd.DataFrame, tmp_path: Path, english_only
) -> None:  # type: ignore[no-untyped-def]
    # the passengers who gave the wifi 5 out of 5: within them the wifi rating is constant
    top = airline[airline["Inflight wifi service"] == 5]
    assert len(top) > 100 and top["Inflight wifi service"].nunique() == 1
    path = tmp_path / "wifi_5.csv"
    top.to_csv(path, index=False)
    args = [
        "metrics",
        "drivers",
        "--file",
        str(path),
        "--outcome",
        "satisfaction",
        "--success",
        "satisfied",
        "--drivers",
        "Inflight wifi service,Seat comfort,Cleanliness",
        "--missing",
        "0",
    ]
    _both(
        args,
        "impulsores clave: 'Inflight wifi service' nunca varía (vale 5 en todas las filas "
        "completas), así que no puede explicar nada; déjala fuera.",
        "key drivers: 'Inflight wifi service' never varies (it is 5 in every complete row)",
        english_only,
    )


def test_the_lang_option_decides_the_language_of_the_error(airline_project: Path) -> None:
    result = CliRunner().invoke(
        app, [*_drivers(airline_project, "satisfaction,age"), "--lang", "en"],
        env={"CXPULSE_LANG": "es", "COLUMNS": "300"},
    )  # fmt: skip
    assert result.exit_code == 2
    assert "is the outcome; it cannot be a driver too" in " ".join(result.output.split())


def test_an_unknown_metric_lists_the_projects_own_and_the_built_in_ones(
    airline_project: Path, english_only
) -> None:  # type: ignore[no-untyped-def]
    for typo in ("wifi_okk", "npz"):
        es, _ = _both(
            ["metrics", "show", typo, "-p", str(airline_project)],
            f"el indicador '{typo}' no existe; los propios del proyecto son: wifi_ok, gate_ok; "
            "los incorporados: nps, ",
            f"unknown metric '{typo}'; the project's custom metrics are: wifi_ok, gate_ok; "
            "the built-in ones: nps, ",
            english_only,
        )
        assert es.endswith("Ejecuta 'cxpulse metrics list' para verlos con su descripción.")
        assert "csat" in es and "purchase_retention" in es


def test_a_custom_metric_on_a_column_the_table_lacks_says_what_to_fix(
    airline_project: Path, english_only
) -> None:  # type: ignore[no-untyped-def]
    es, _ = _both(
        ["metrics", "show", "gate_ok", "-p", str(airline_project)],
        "el indicador propio 'gate_ok' usa gate, que no es una columna de 'responses' (columnas: ",
        "custom metric 'gate_ok' uses gate, which is not a column of 'responses'",
        english_only,
    )
    assert "corrige [[metrics.custom]] en cxpulse.toml o declara el atributo." in es


def test_survival_refuses_an_unknown_unit(airline_project: Path, english_only) -> None:  # type: ignore[no-untyped-def]
    _both(
        ["metrics", "survival", "--unit", "week", "-p", str(airline_project)],
        "la unidad 'week' no existe; usa day (días) o month (meses).",
        "unknown unit 'week'; use day or month.",
        english_only,
    )


# ---- retention and repurchase: why a metric refuses, on the Online Retail sample ----------
EXPLANATIONS = [
    (
        ["account_retention"],
        "account_retention mide la vida de las cuentas con accounts.end_date y ninguna cuenta "
        "tiene esa fecha, así que todas las cohortes saldrían al 100 %. Para clientes que "
        "compran (pedidos), usa purchase_retention",
        "account_retention measures account lifetimes from accounts.end_date, and no account "
        "has one",
    ),
    (
        ["returning_customer_rate"],
        "returning_customer_rate mira si los compradores de un periodo ya habían comprado antes "
        "de que empezara, así que necesita periodos: indica una granularidad (--grain month) o "
        "un inicio (--from AAAA-MM-DD).",
        "returning_customer_rate asks whether a period's buyers had bought before it began",
    ),
    (
        ["purchase_retention", "--by", "status"],
        "purchase_retention sigue a cada cliente desde su primera compra, así que solo se puede "
        "desglosar por columnas de la cuenta, no por status (una columna de cada fila de "
        "orders).",
        "purchase_retention follows each customer from the first purchase on, so it can only "
        "be split by account columns, not by status",
    ),
]


@pytest.mark.parametrize(("args", "spanish", "english"), EXPLANATIONS)
def test_retention_metrics_explain_why_they_refuse_on_the_cli(
    retail_project: Path, args: list[str], spanish: str, english: str, english_only
) -> None:  # type: ignore[no-untyped-def]
    _both(["metrics", "show", *args, "-p", str(retail_project)], spanish, english, english_only)


def test_retention_metrics_explain_why_they_refuse_in_the_api(retail_project: Path) -> None:
    from cxpulse.web import create_app

    add_users(retail_project)
    client = sign_in(TestClient(create_app(retail_project)), "analyst@example.com")
    for args, spanish, english in EXPLANATIONS:
        query = f"metric={args[0]}" + (f"&by={args[2]}" if len(args) > 1 else "")
        es = client.get(f"/api/v1/metrics?{query}&lang=es")
        en = client.get(f"/api/v1/metrics?{query}&lang=en")
        assert es.status_code == en.status_code == 400
        assert spanish in es.json()["detail"] and english not in es.json()["detail"]
        assert english in en.json()["detail"] and spanish not in en.json()["detail"]
        # the CLI, the API and the library say the same thing: one error, one message
        cli = _refused(["metrics", "show", *args, "-p", str(retail_project)], "es")
        assert " ".join(es.json()["detail"].split()) in cli
