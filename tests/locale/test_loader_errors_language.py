"""A wrong file given to the sample loaders or to ``cxpulse load`` is refused in the user's
language, naming the file and what is missing, without a traceback. The wrong files are real
public data of another kind (the airline survey offered as the bank or the retail file)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cxpulse.cli import app
from cxpulse.datasets import DatasetError, bank_churn_tables
from cxpulse.datasets.online_retail import COLUMNS as RETAIL_COLUMNS
from tests.locale.refusals import refused

AIRLINE = "airline/airline_satisfaction_test.csv"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "proj"
    assert CliRunner().invoke(app, ["init", str(folder)]).exit_code == 0
    return folder


@pytest.fixture
def wrong_data(tmp_path: Path, shared_data: Path) -> Path:
    """A samples folder whose bank and retail files hold the airline survey."""
    folder = tmp_path / "wrong"
    (folder / "online_retail").mkdir(parents=True)
    shutil.copy(shared_data / AIRLINE, folder / "bank_churn.csv")
    airline = pd.read_csv(shared_data / AIRLINE, nrows=200)
    airline.to_parquet(folder / "online_retail" / "online_retail.parquet")
    return folder


def test_samples_load_refuses_a_wrong_retail_file_in_spanish_and_english(
    project: Path, wrong_data: Path, shared_data: Path
) -> None:
    path = wrong_data / "online_retail" / "online_retail.parquet"
    have = set(pd.read_csv(shared_data / AIRLINE, nrows=1).columns)
    missing = ", ".join(c for c in RETAIL_COLUMNS if c not in have)
    assert missing.startswith("InvoiceNo")  # the airline survey has none of them
    args = ["samples", "load", "online_retail", "--data", str(wrong_data), "-p", str(project)]

    spanish = refused(args, "es")
    assert f"{path}: faltan las columnas {missing}; se esperaba el archivo Parquet de UCI " in (
        spanish
    )
    assert "missing columns" not in spanish and "expected" not in spanish

    english = refused(args, "en")
    assert f"{path}: missing columns {missing}; expected the UCI Online Retail Parquet" in english


def test_samples_load_refuses_a_wrong_bank_file_in_spanish(project: Path, wrong_data: Path) -> None:
    args = ["samples", "load", "bank_churn", "--data", str(wrong_data), "-p", str(project)]
    spanish = refused(args, "es")
    assert f"{wrong_data / 'bank_churn.csv'}: rechazado, no se cargó nada en 'accounts'" in spanish
    assert (
        "columna 'CustomerId': aparece en la asignación de columnas pero no está en el archivo"
        in spanish
    )
    assert "rejected" not in spanish and "is not in the file" not in spanish


def test_the_bank_loader_of_the_python_api_says_what_is_missing_in_both_languages(
    wrong_data: Path,
) -> None:
    path = wrong_data / "bank_churn.csv"
    with pytest.raises(DatasetError) as err:
        bank_churn_tables(path)
    assert str(err.value).startswith(f"{path}: missing columns CustomerId, Surname, CreditScore")
    spanish = err.value.message_in("es")
    assert spanish.startswith(f"{path}: faltan las columnas CustomerId, Surname, CreditScore")
    assert spanish.endswith(
        "se esperaba el CSV de abandono de clientes de un banco "
        "(Churn_Modelling) en su formato original"
    )
    with pytest.raises(DatasetError) as gone:
        bank_churn_tables(wrong_data / "nope.csv")
    assert "no se encontró el CSV de abandono" in gone.value.message_in("es")
    assert "not found (the bank churn CSV" in str(gone.value)


def test_load_refuses_an_unknown_file_type_in_spanish(project: Path, tmp_path: Path) -> None:
    source = tmp_path / "accounts.json"
    source.write_text('[{"account_id": "a1"}]', encoding="utf-8")
    spanish = refused(["load", "accounts", str(source), "-p", str(project)], "es")
    assert f"{source}: tipo de archivo desconocido '.json'. Usa CSV (.csv, .tsv, .txt)" in spanish
    assert "unknown file type" not in spanish
    english = refused(["load", "accounts", str(source), "-p", str(project)], "en")
    assert f"{source}: unknown file type '.json'. Use CSV" in english
