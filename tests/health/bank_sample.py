"""The bank churn sample as a user makes it, with a chosen set of health signals."""

from __future__ import annotations

from pathlib import Path


def bank_sample_with_signals(folder: Path, shared_data: Path, signals_toml: str) -> Path:
    """A project made by the CLI from the bank churn sample (``cxpulse init`` then ``cxpulse
    samples load bank_churn``) whose ``[health]`` section is replaced by ``signals_toml``."""
    from typer.testing import CliRunner

    from cxpulse.cli import app

    project = folder / "proj"
    runner = CliRunner()
    for args in (
        ["init", str(project), "--language", "en"],
        ["samples", "load", "bank_churn", "-p", str(project), "--data", str(shared_data)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    toml = project / "cxpulse.toml"
    text = toml.read_text(encoding="utf-8")
    start, end = text.index("[health]"), text.index("[loop]")
    toml.write_text(text[:start] + signals_toml + text[end:], encoding="utf-8")
    return project


# Four numeric signals of the bank churn sample (age, products, active member, balance) with
# their expert thresholds: the core a [health] section of the bank tests starts from.
BANK_SIGNALS = """[[health.signals]]
name = "age"
family = "market"
source = "accounts_snapshots.age"
direction = "lower_is_better"
bad = 60
good = 30

[[health.signals]]
name = "num_of_products"
family = "product"
source = "accounts_snapshots.num_of_products"
direction = "lower_is_better"
bad = 4
good = 1

[[health.signals]]
name = "is_active_member"
family = "relationship"
source = "accounts_snapshots.is_active_member"
bad = 0
good = 1

[[health.signals]]
name = "balance"
family = "financial"
source = "accounts_snapshots.balance"
direction = "lower_is_better"
bad = 150000
good = 0
"""
