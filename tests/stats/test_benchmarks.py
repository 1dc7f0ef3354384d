"""Industry NPS benchmarks shipped with cxpulse (``cxpulse.metrics.benchmarks``)."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from cxpulse.errors import CxpulseError
from cxpulse.metrics.benchmarks import (
    COLUMNS,
    BenchmarkDataError,
    NpsBenchmark,
    load_benchmarks,
    nps_benchmark,
)

HEADER = ",".join(COLUMNS)


def _bundled_frame() -> pd.DataFrame:
    path = resources.files("cxpulse.metrics").joinpath("data", "nps_benchmarks.csv")
    return pd.read_csv(str(path), keep_default_na=False)


def test_bundled_file_has_exactly_the_documented_columns() -> None:
    assert tuple(_bundled_frame().columns) == COLUMNS


def test_loaded_benchmarks_equal_an_independent_csv_read() -> None:
    frame = _bundled_frame()
    loaded = load_benchmarks()
    assert len(loaded) == len(frame) >= 10
    for bench, (_, row) in zip(loaded, frame.iterrows(), strict=True):
        assert bench.industry_key == row["industry_key"]
        assert bench.nps == pytest.approx(float(row["nps"]))
        assert bench.year == int(row["year"])
        assert bench.source == row["source"]


def test_every_benchmark_is_sourced_and_plausible() -> None:
    keys = [b.industry_key for b in load_benchmarks()]
    assert len(keys) == len(set(keys))
    for b in load_benchmarks():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", b.industry_key)
        assert -100 <= b.nps <= 100
        assert 2003 <= b.year <= 2026  # NPS was published in 2003
        assert b.source and b.source_url_or_title and b.industry_es and b.industry_en
        assert b.market in {"B2B", "B2C"}, f"{b.industry_key}: notes must start with B2B or B2C"
        if b.source_url_or_title.startswith("http"):
            assert re.fullmatch(r"https?://[^\s,]+", b.source_url_or_title)


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("legal_services", "legal_services"),
        ("Legal Services", "legal_services"),
        ("servicios legales", "legal_services"),
        ("AEROLINEAS", "airlines"),
        ("Aerolíneas", "airlines"),
        ("  car-rental ", "car_rental"),
        ("Alquiler de automóviles", "car_rental"),
        ("Recruitment process outsourcing (RPO)", "recruitment_process_outsourcing"),
    ],
)
def test_lookup_by_key_or_spanish_or_english_name(query: str, key: str) -> None:
    found = nps_benchmark(query)
    assert isinstance(found, NpsBenchmark) and found.industry_key == key


def test_unknown_industry_is_none() -> None:
    assert nps_benchmark("farmacias") is None
    assert nps_benchmark("") is None


def test_names_follow_the_language() -> None:
    b = nps_benchmark("grocery")
    assert b is not None
    assert b.industry("es") == "Supermercados" and b.industry("en") == "Grocery"
    assert b.industry("pt") == "Supermercados"  # unknown language: Spanish default


def test_own_benchmarks_file_can_replace_the_bundled_one(tmp_path: Path) -> None:
    own = tmp_path / "mine.csv"
    own.write_text(
        f"{HEADER}\nfintech,Fintech,Fintech,41.5,Internal study,Q3 survey,2025,B2C; our panel\n",
        "utf-8",
    )
    rows = load_benchmarks(own)
    assert [(r.industry_key, r.nps, r.year) for r in rows] == [("fintech", 41.5, 2025)]
    found = nps_benchmark("FINTECH", own)
    assert found is not None and found.market == "B2C"
    assert nps_benchmark("grocery", own) is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("industry_key,nps\nx,1\n", "missing column"),
        (f"{HEADER}\nx,X,X,150,s,t,2020,\n", "line 2: nps 150 is outside"),
        (f"{HEADER}\nx,X,X,abc,s,t,2020,\n", "line 2: nps must be a number"),
        (f"{HEADER}\nx,X,X,10,,t,2020,\n", "line 2: empty source"),
        (f"{HEADER}\nx,X,X,10,s,t,2020,\nx,Y,Y,12,s,t,2021,\n", "line 3: industry_key 'x'"),
    ],
)
def test_malformed_benchmark_files_are_rejected_with_the_line(
    tmp_path: Path, body: str, message: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(body, "utf-8")
    with pytest.raises(BenchmarkDataError, match=re.escape(message)) as info:
        load_benchmarks(bad)
    assert isinstance(info.value, CxpulseError)
    assert str(bad) in str(info.value)


def test_missing_file_says_which_path_to_check(tmp_path: Path) -> None:
    absent = tmp_path / "absent.csv"
    with pytest.raises(BenchmarkDataError, match="no such benchmarks file") as info:
        load_benchmarks(absent)
    spanish = info.value.message_in("es")
    assert spanish == f"{absent}: no existe el archivo de referencias de NPS; revisa la ruta."


def test_a_broken_benchmarks_file_is_explained_in_spanish_and_english(tmp_path: Path) -> None:
    """Each problem of an own benchmarks file, in the catalogue's two languages; str() stays
    the English text (logs and the tests above read it)."""
    cases = [
        ("industry_key,nps\nx,1\n", "faltan columnas: industry_es, industry_en, source"),
        (f"{HEADER}\nx,X,X,150,s,t,2020,\n", "línea 2: el nps 150 está fuera de -100..100."),
        (f"{HEADER}\nx,X,X,abc,s,t,2020,\n", "línea 2: nps debe ser un número y year un año"),
        (f"{HEADER}\nx,X,X,10,,t,2020,\n", "línea 2: falta el valor de source."),
        (f"{HEADER}\nx,X,X,1,s,t,2020,\nx,Y,Y,2,s,t,2021,\n", "línea 3: industry_key 'x' está"),
    ]
    for body, spanish in cases:
        bad = tmp_path / "own.csv"
        bad.write_text(body, "utf-8")
        with pytest.raises(BenchmarkDataError) as info:
            load_benchmarks(bad)
        text = info.value.message_in("es")
        assert text.startswith(str(bad)) and spanish in text
        assert info.value.message_in("en") == str(info.value) != text
        assert "line" not in text.replace(str(bad), "")  # no English left in the Spanish text
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(f"{HEADER}\nx,Panadería,Bakery,10,s,t,2020,\n".encode("latin-1"))
    with pytest.raises(BenchmarkDataError) as info:
        load_benchmarks(latin1)
    assert "no es texto UTF-8; guárdalo como CSV UTF-8" in info.value.message_in("es")
    assert "not UTF-8 text" in str(info.value)


def test_a_spreadsheet_csv_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    own = tmp_path / "excel.csv"
    own.write_bytes(f"{HEADER}\nfintech,Fintech,Fintech,41.5,s,t,2025,B2C\n".encode("utf-8-sig"))
    assert [b.industry_key for b in load_benchmarks(own)] == ["fintech"]


@pytest.fixture
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    from cxpulse.cli.common import console

    monkeypatch.setattr(console, "width", 250)  # one table row per line


def _cli(args: list[str], lang: str):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from cxpulse.cli.app import app

    return CliRunner().invoke(
        app, ["metrics", "benchmarks", *args], env={"CXPULSE_LANG": lang, "COLUMNS": "300"}
    )


def test_the_benchmarks_command_lists_the_bundled_file_in_the_readers_language(
    tmp_path: Path, wide_console: None
) -> None:
    import json

    frame = _bundled_frame()
    rows = json.loads(_cli(["-f", "json"], "es").output)
    assert [r["industry_key"] for r in rows] == frame.industry_key.tolist()
    assert [r["industry"] for r in rows] == frame.industry_es.tolist()
    assert [r["nps"] for r in rows] == frame.nps.astype(float).tolist()
    english = json.loads(_cli(["-f", "json"], "en").output)
    assert [r["industry"] for r in english] == frame.industry_en.tolist()

    project = tmp_path / "proj"
    project.mkdir()
    (project / "cxpulse.toml").write_text('[metrics]\nindustry = "Aerolíneas"\n', "utf-8")
    table = _cli(["-p", str(project)], "es")
    assert table.exit_code == 0, table.output
    assert "Aerolíneas ✓" in table.output and "Supermercados" in table.output
    assert "Pon la clave de tu industria en [metrics] industry" in table.output
    airlines = frame.set_index("industry_key").loc["airlines"]
    line = next(x for x in table.output.splitlines() if "Aerolíneas ✓" in x)
    assert f" {int(airlines.nps)} " in line and str(airlines.year) in line


def test_the_benchmarks_command_explains_a_broken_own_file_in_spanish_and_english(
    tmp_path: Path, wide_console: None
) -> None:
    bad = tmp_path / "mine.csv"
    bad.write_text(f"{HEADER}\nfintech,Fintech,Fintech,41.5,s,t,2025,\nfintech,F,F,40,s,t,2024,\n")
    said = {}
    for lang in ("es", "en"):
        result = _cli(["--file", str(bad)], lang)
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        said[lang] = " ".join(result.output.split())
    assert (
        f"{bad}, línea 3: industry_key 'fintech' está repetido; cada industria va en una sola "
        "línea." in said["es"]
    )
    assert "is repeated" not in said["es"]
    assert f"{bad}, line 3: industry_key 'fintech' is repeated" in said["en"]
    good = tmp_path / "good.csv"
    good.write_text(f"{HEADER}\nfintech,Finanzas digitales,Fintech,41.5,Panel,t,2025,B2C\n")
    result = _cli(["--file", str(good)], "es")
    assert result.exit_code == 0 and "Finanzas digitales" in result.output
    assert "41,5" in result.output  # the Spanish decimal comma
