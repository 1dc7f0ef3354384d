"""Typer's own messages (usage errors, usage line) in the CLI's language, from the catalogue."""

from __future__ import annotations

import doctest
from pathlib import Path
from typing import Annotated

import pytest
import typer

import cxpulse.cli.toolkit_language as toolkit
import cxpulse.locale.validation as validation
from cxpulse.cli.toolkit_language import localize_message
from cxpulse.locale.validation import explain_validation_error

TYPER = Path(typer.__file__).parent


def test_docstring_examples_run():
    for module in (toolkit, validation):
        assert doctest.testmod(module).failed == 0


def _sample_command() -> object:
    app = typer.Typer()

    @app.command()
    def show(
        case_id: int,
        top: int = 10,
        source: Annotated[Path, typer.Option(exists=True, dir_okay=False)] = Path(__file__),
        by: str = "segment",
    ) -> None:
        """A command with the kinds of parameters cxpulse uses."""

    @app.command()
    def other() -> None:
        """A second command, so that the app is a group."""

    return typer.main.get_command(app)


@pytest.mark.parametrize(
    ("args", "spanish"),
    [
        (["show"], "Falta el argumento 'case_id'."),
        (["show", "1", "--bogus"], "No existe la opción: --bogus"),
        (["show", "1", "2"], "Sobran argumentos (2)"),
        (["show", "1", "--top", "x"], "Valor no válido para '--top': Debe ser un número entero."),
        (["show", "1", "--by"], "La opción '--by' necesita un valor."),
        (["show", "1", "--source", "/nonexistent.csv"], "El archivo '/nonexistent.csv' no existe."),
        (["shw"], "No existe el comando 'shw'. ¿Quisiste decir 'show'?"),
    ],
)
def test_typer_errors_of_this_version_are_translated(args: list[str], spanish: str):
    # Typer raises the real errors; an upgrade that rewords one makes its template stale.
    from typer._click import ClickException

    with pytest.raises(ClickException) as caught:
        _sample_command().main(args, prog_name="x", standalone_mode=False)  # type: ignore[attr-defined]
    shown = toolkit.localize_error(caught.value, "es").format_message()
    assert spanish in shown, (caught.value.format_message(), shown)


@pytest.mark.parametrize(
    ("english", "spanish"),
    [
        ("Missing argument 'case_id'.", "Falta el argumento 'case_id'."),
        ("Missing option '--as-of'.", "Falta la opción '--as-of'."),
        ("No such option: --bogus", "No existe la opción: --bogus"),
        ("Got unexpected extra argument(s) (a b)", "Sobran argumentos (a b)"),
        (
            "Invalid value for '--project': dir '/x' does not exist.",
            "Valor no válido para '--project': La carpeta '/x' no existe.",
        ),
        ("Option '--by' requires an argument.", "La opción '--by' necesita un valor."),
        ("Something Typer never wrote", "Something Typer never wrote"),
    ],
)
def test_usage_errors_are_rewritten_in_spanish(english: str, spanish: str):
    assert localize_message(english, "es") == spanish
    assert localize_message(english, "en") == english


def test_validation_errors_are_explained_from_the_pydantic_error():
    from pydantic import BaseModel, Field, ValidationError

    class Body(BaseModel):
        score: int = Field(ge=0, le=10)
        kind: str = Field(pattern="^(nps|csat)$")

    with pytest.raises(ValidationError) as caught:
        Body.model_validate({"score": 11.5, "kind": 3})
    shown = [explain_validation_error(e, "es") for e in caught.value.errors()]
    assert shown == ["Debe ser un número entero, sin decimales.", "Debe ser un texto."]
    with pytest.raises(ValidationError) as caught:
        Body.model_validate({"score": 1000})
    first, missing = caught.value.errors()
    assert explain_validation_error(first, "es") == "Debe ser menor o igual que 10."
    assert explain_validation_error(missing, "en") == "This field is required."
    assert explain_validation_error({"type": "never_seen"}, "es") == (
        "Valor no válido (never_seen)."
    )


def test_choices_are_joined_in_the_language():
    error = {"type": "enum", "ctx": {"expected": "'table', 'csv' or 'json'"}}
    assert explain_validation_error(error, "es") == (
        "Debe ser uno de estos valores: 'table', 'csv' o 'json'."
    )
