"""Closed-loop rules: parsing [loop] and which answers/band changes fire which rule."""

from __future__ import annotations

import tomllib

import pytest

from cxpulse.errors import ConfigError
from cxpulse.loop.rules import (
    DEFAULT_LOOP_TOML,
    BandChange,
    ResponseFacts,
    parse_loop_config,
    recipients,
)


def _facts(
    kind: str, score: int, comment: str | None = None, themes: tuple[str, ...] = ()
) -> ResponseFacts:
    return ResponseFacts("r1", "a1", kind, score, comment=comment, themes=themes)


def test_default_rule_fires_for_nps_detractors_only() -> None:
    cfg = parse_loop_config({})
    fired = [s for s in range(11) if cfg.rules_for_response(_facts("nps", s))]
    assert fired == [0, 1, 2, 3, 4, 5, 6]
    assert not cfg.rules_for_response(_facts("csat", 1))


@pytest.mark.parametrize(
    ("kind", "trigger", "firing"),
    [("csat", "csat_low", [1, 2]), ("ces", "ces_low", [1, 2, 3])],
)
def test_low_csat_and_ces_thresholds(kind: str, trigger: str, firing: list[int]) -> None:
    cfg = parse_loop_config({"rules": [{"name": "low", "trigger": {"kind": trigger}}]})
    top = 5 if kind == "csat" else 7
    fired = [s for s in range(1, top + 1) if cfg.rules_for_response(_facts(kind, s))]
    assert fired == firing


def test_max_score_overrides_the_default_ceiling() -> None:
    cfg = parse_loop_config(
        {"rules": [{"name": "hard", "trigger": {"kind": "detractor", "max_score": 3}}]}
    )
    assert cfg.rules_for_response(_facts("nps", 3))
    assert not cfg.rules_for_response(_facts("nps", 4))


def test_theme_trigger_matches_theme_or_accent_insensitive_keyword() -> None:
    cfg = parse_loop_config(
        {
            "rules": [
                {
                    "name": "billing",
                    "trigger": {"kind": "theme", "theme": "Billing", "keywords": ["facturación"]},
                }
            ]
        }
    )
    assert cfg.rules_for_response(_facts("nps", 9, themes=("billing",)))
    assert cfg.rules_for_response(_facts("csat", 4, comment="Problemas con la FACTURACION"))
    assert not cfg.rules_for_response(_facts("nps", 2, comment="el soporte tardó"))


def test_health_red_fires_only_on_a_drop_into_red() -> None:
    cfg = parse_loop_config({"rules": [{"name": "red", "trigger": {"kind": "health_red"}}]})
    assert cfg.rules_for_band_change(BandChange("a1", "yellow", "red"))
    assert not cfg.rules_for_band_change(BandChange("a1", "red", "red"))
    assert not cfg.rules_for_band_change(BandChange("a1", "red", "yellow"))
    assert not cfg.rules_for_response(_facts("nps", 0))


def test_disabled_rules_do_not_fire() -> None:
    cfg = parse_loop_config(
        {"rules": [{"name": "d", "enabled": False, "trigger": {"kind": "detractor"}}]}
    )
    assert not cfg.rules_for_response(_facts("nps", 0))


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"rules": [{"name": "x", "trigger": {"kind": "angry"}}]}, "loop.rules.0.trigger.kind"),
        ({"rules": [{"name": "x", "trigger": {"kind": "theme"}}]}, "needs 'theme' or 'keywords'"),
        (
            {
                "rules": [
                    {"name": "x", "trigger": {"kind": "detractor"}, "action": {"sla_hours": 0}}
                ]
            },
            "loop.rules.0.action.sla_hours",
        ),
        (
            {"rules": [{"name": "x", "trigger": {"kind": "detractor"}}] * 2},
            "repeated: x",
        ),
        ({"max_attemps": 3}, "loop.max_attemps"),
    ],
)
def test_bad_loop_config_names_the_key(raw: dict[str, object], fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_loop_config(raw)
    assert fragment in str(info.value)


def test_default_toml_parses_to_the_detractor_rule() -> None:
    raw = tomllib.loads(DEFAULT_LOOP_TOML)["loop"]
    cfg = parse_loop_config(raw)
    assert [r.name for r in cfg.rules] == ["detractors"]
    assert cfg.rules[0].action.sla_hours == 48
    assert cfg.rules[0].action.priority == "high"


def test_recipients_keep_order_skip_non_addresses_and_duplicates() -> None:
    cfg = parse_loop_config(
        {
            "email_to": ["lead@x.com", "ana@x.com"],
            "rules": [
                {
                    "name": "d",
                    "trigger": {"kind": "detractor"},
                    "action": {"email_to": ["ops@x.com"]},
                }
            ],
        }
    )
    assert recipients(cfg, cfg.rules[0], "ana@x.com") == ["ana@x.com", "ops@x.com", "lead@x.com"]
    assert recipients(cfg, cfg.rules[0], "Ana Pérez") == ["ops@x.com", "lead@x.com", "ana@x.com"]
