"""The [health] section: default catalogue, validation messages, documentation."""

from __future__ import annotations

import tomllib

import pytest

from cxpulse.errors import ConfigError
from cxpulse.health import DEFAULT_HEALTH_TOML, parse_health_config, parse_horizon
from cxpulse.health.builtins import BUILTINS
from cxpulse.health.config import Bands, HealthConfig, Signal


def test_default_catalogue_covers_the_five_families_with_builtins() -> None:
    cfg = parse_health_config(tomllib.loads(DEFAULT_HEALTH_TOML)["health"])
    assert cfg == parse_health_config({})  # an empty section means the default catalogue
    families = {s.family for s in cfg.signals}
    assert families == {"financial", "product", "service", "relationship", "market"}
    assert all(s.source in BUILTINS for s in cfg.signals)
    assert {"usage_frequency", "recent_csat", "latest_nps", "overdue_amount", "csm_rating"} <= {
        s.source for s in cfg.signals
    }
    assert (cfg.bands.red_below, cfg.bands.green_from) == (40, 70)
    assert cfg.outcome == "churn" and cfg.horizon_days == 90


def test_every_key_and_builtin_is_documented_in_the_default_file() -> None:
    for model in (Signal, Bands, HealthConfig):
        for name in model.model_fields:
            assert name in DEFAULT_HEALTH_TOML, f"{model.__name__}.{name} is not documented"
    for name in BUILTINS:
        assert name in DEFAULT_HEALTH_TOML, f"builtin {name} is not listed"


def test_invalid_sections_say_where_and_what() -> None:
    with pytest.raises(ConfigError, match="direction is higher_is_better but good=1"):
        parse_health_config(
            {
                "signals": [
                    {
                        "name": "x",
                        "family": "product",
                        "source": "usage_frequency",
                        "bad": 5,
                        "good": 1,
                    }
                ]
            }
        )
    with pytest.raises(ConfigError, match="repeated: x"):
        parse_health_config(
            {
                "signals": [
                    {
                        "name": "x",
                        "family": "product",
                        "source": "usage_frequency",
                        "bad": 0,
                        "good": 1,
                    },
                    {
                        "name": "x",
                        "family": "service",
                        "source": "recent_csat",
                        "bad": 0,
                        "good": 1,
                    },
                ]
            }
        )
    with pytest.raises(ConfigError, match=r"health\.signals\.0\.family"):
        parse_health_config(
            {
                "signals": [
                    {
                        "name": "x",
                        "family": "weather",
                        "source": "usage_frequency",
                        "bad": 0,
                        "good": 1,
                    }
                ]
            }
        )
    with pytest.raises(ConfigError, match="green_from must be greater than red_below"):
        parse_health_config({"bands": {"red_below": 60, "green_from": 50}})
    with pytest.raises(ConfigError, match="unknown bands"):
        parse_health_config({"playbooks": {"purple": {"es": "x"}}})


def test_horizons_are_read_in_days() -> None:
    assert [parse_horizon(h) for h in ("90d", "90", "12w", "3m", "1y", " 30D ")] == [
        90,
        90,
        84,
        90,
        365,
        30,
    ]
    for bad in ("ninety", "0d", "-3d", "3 months"):
        with pytest.raises(ConfigError):
            parse_horizon(bad)
