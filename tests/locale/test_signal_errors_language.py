"""A health signal that does not fit the loaded data is refused in the user's language when
the accounts are scored, on the bank churn sample as a user loads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.health.bank_sample import bank_sample_with_signals
from tests.locale.refusals import refused

SIGNAL = '[health]\n[[health.signals]]\nname = "country"\nfamily = "market"\nweight = 1\n'


@pytest.fixture(scope="module")
def bank_project(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    folder = tmp_path_factory.mktemp("bank")
    return bank_sample_with_signals(folder, shared_data, SIGNAL + 'source = "x"\n')


def _score(project: Path, signal: str, lang: str) -> str:
    toml = project / "cxpulse.toml"
    text = toml.read_text(encoding="utf-8")
    start, end = text.index("[health]"), text.index("[loop]")
    toml.write_text(text[:start] + SIGNAL + signal + text[end:], encoding="utf-8")
    return refused(["health", "score", "-p", str(project)], lang)


@pytest.mark.parametrize(
    ("signal", "es", "en"),
    [
        (
            'source = "accounts.segment"\nbad = 0\ngood = 1\n',
            "señal 'country': la columna 'accounts.segment' es de tipo string, no numérica; "
            "usa un indicador como 'accounts.segment=<valor>' o pon type = \"categorical\"",
            "signal 'country': column 'accounts.segment' is string, not numeric; use an "
            "indicator such as 'accounts.segment=<value>' or set type = \"categorical\"",
        ),
        (
            'source = "accounts.segment=France"\ntime_column = "seen_at"\nbad = 0\ngood = 1\n',
            "señal 'country': la tabla 'accounts' no tiene la columna 'seen_at'; corrige "
            "time_column en [[health.signals]]",
            "signal 'country': table 'accounts' has no column 'seen_at'; fix time_column in "
            "[[health.signals]]",
        ),
    ],
)
def test_a_signal_that_does_not_fit_the_data_is_refused_in_both_languages(
    bank_project: Path, signal: str, es: str, en: str
) -> None:
    spanish = _score(bank_project, signal, "es")
    assert es in spanish and en not in spanish
    english = _score(bank_project, signal, "en")
    assert en in english and es not in english
