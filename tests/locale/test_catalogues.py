"""The Spanish and English catalogues: same keys, same placeholders, every key the code uses,
and a term for every stored value the product shows."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from cxpulse.locale import LANGUAGES, catalog, term

SRC = Path(__file__).resolve().parents[2] / "src" / "cxpulse"
LOCALE = SRC / "locale"

# A catalogue key written literally in code or a template: gettext("x.y"), tr("x.y"),
# translate("x.y"), t('x.y') in Jinja, key="x.y" on an error, _msg("x.y").
KEY_USE = re.compile(
    r"""(?:\bgettext|\btr|\btranslate|\bt|\b_msg|\bkey\s*=)\(?\s*["']([a-z_]+\.[a-z0-9_.]*[a-z0-9_])["']"""
)


def _placeholders(text: str) -> set[str]:
    return {
        name.split("!")[0].split(":")[0] for _, name, _, _ in string.Formatter().parse(text) if name
    }


def test_both_languages_have_the_same_keys():
    es, en = catalog("es"), catalog("en")
    assert sorted(set(es) - set(en)) == [], "keys only in Spanish"
    assert sorted(set(en) - set(es)) == [], "keys only in English"


def test_no_message_is_empty_and_placeholders_match():
    es, en = catalog("es"), catalog("en")
    empty = [k for k in es if not es[k].strip() or not en.get(k, "x").strip()]
    assert empty == []
    differ = [k for k in es if k in en and _placeholders(es[k]) != _placeholders(en[k])]
    assert differ == []


def test_catalogue_files_are_sorted_so_parallel_additions_merge():
    for lang in LANGUAGES:
        data = json.loads((LOCALE / f"messages_{lang}.json").read_text("utf-8"))
        assert list(data) == sorted(data), f"messages_{lang}.json is not sorted by key"


def _used_keys() -> dict[str, str]:
    used: dict[str, str] = {}
    files = [*SRC.rglob("*.py"), *SRC.rglob("*.html")]
    for path in files:
        if "static" in path.parts:
            continue
        for match in KEY_USE.finditer(path.read_text("utf-8")):
            used.setdefault(match.group(1), str(path.relative_to(SRC)))
    return used


def test_every_key_the_code_names_exists_in_both_languages():
    used = _used_keys()
    assert len(used) > 200  # the scan sees the code, not nothing
    for lang in LANGUAGES:
        missing = {k: where for k, where in used.items() if k not in catalog(lang)}
        assert missing == {}, f"keys missing in messages_{lang}.json"


def test_the_scan_catches_a_missing_key(tmp_path: Path):
    sample = 'raise ConfigError(key="cli.error.no_such_key", values={})\ntr("cli.nope.x")\n'
    found = {m.group(1) for m in KEY_USE.finditer(sample)}
    assert found == {"cli.error.no_such_key", "cli.nope.x"}
    assert not found & set(catalog("es"))


def _stored_values() -> dict[str, tuple[str, ...]]:
    import importlib
    import pkgutil

    import cxpulse.stats
    from cxpulse.health.config import BAND_NAMES
    from cxpulse.loop.workflow import STATUSES
    from cxpulse.schema import tables

    modules = [
        importlib.import_module(f"cxpulse.stats.{m.name}")
        for m in pkgutil.iter_modules(cxpulse.stats.__path__)
    ]
    methods = tuple(
        value
        for module in modules
        for name, value in vars(module).items()
        if name.isupper() and isinstance(value, str) and " " in value
    )
    import cxpulse.metrics

    metric_modules = [  # the methods the metric layer names (survival, drivers, CLV, totals)
        importlib.import_module(f"cxpulse.metrics.{m.name}")
        for m in pkgutil.iter_modules(cxpulse.metrics.__path__)
    ]
    methods += tuple(
        value
        for module in metric_modules
        for name, value in vars(module).items()
        if name.endswith("METHOD") and isinstance(value, str)
    )
    return {
        "priority": tables.TICKET_PRIORITIES,
        "ticket_status": tables.TICKET_STATUSES,
        "invoice_status": tables.INVOICE_STATUSES,
        "outcome": tables.OUTCOMES,
        "survey_kind": tables.SURVEY_KINDS,
        "status": STATUSES,  # of cases
        "band": tuple(BAND_NAMES),
        "model": ("expert", "logistic", "lightgbm"),
        "method": methods,
        "role": ("admin", "analyst", "agent"),
        "sentiment": ("positive", "neutral", "negative"),
        "origin": ("detractor", "csat_low", "ces_low", "health_red", "manual", "theme"),
        "table": tuple(tables.TABLES),
    }


def test_every_stored_value_has_a_term_in_both_languages():
    values = _stored_values()
    assert len(values["method"]) >= 10  # the method names were found
    missing = [
        f"term.{kind}.{v.lower()} ({lang})"
        for kind, vals in values.items()
        for v in vals
        for lang in LANGUAGES
        if f"term.{kind}.{v.lower()}" not in catalog(lang)
    ]
    assert missing == []


def test_demo_values_have_terms():
    from cxpulse.datasets import catalog as demo

    pairs = {
        "category": demo.TICKET_CATEGORIES,
        "channel": (*demo.TICKET_CHANNELS, *demo.SURVEY_CHANNELS),
        "touchpoint": demo.SURVEY_TOUCHPOINTS,
        "touchpoint_kind": demo.TOUCHPOINT_KINDS,
        "order_status": demo.ORDER_STATUSES,
    }
    missing = [
        f"term.{kind}.{v}"
        for kind, vals in pairs.items()
        for v in vals
        if f"term.{kind}.{v}" not in catalog("es") or f"term.{kind}.{v}" not in catalog("en")
    ]
    assert missing == []


@pytest.mark.parametrize("band", ["red", "yellow", "green"])
def test_a_band_has_one_name_everywhere(band: str):
    from cxpulse.health.bands import band_label

    for lang in LANGUAGES:
        name = term("band", band, lang)
        assert band_label(band, lang) == name
        assert f"web.band.{band}" not in catalog(lang)  # no second name for the pages
    assert term("band", "red", "es") == "Roja"


def test_term_translates_and_passes_unknown_values_through():
    assert term("priority", "high", "es") == "alta"
    assert term("method", "multinomial wald", "es") == "Wald multinomial"
    assert term("category", "Mi categoría propia", "es") == "Mi categoría propia"


# Kinds that are different things although some of their values read the same.
DISTINCT_KINDS = {
    frozenset(pair)
    for pair in [
        ("category", "touchpoint"),  # a ticket's cause vs the moment a survey asks about
        ("channel", "touchpoint"),
        ("channel", "touchpoint_kind"),
        ("touchpoint", "touchpoint_kind"),  # survey moment vs logged contact
        ("job_trigger", "origin"),  # what started a job vs what opened a case
        ("status", "ticket_status"),  # a case's workflow vs a support ticket's
        ("table", "unit"),
        ("col", "field"),  # a column heading vs a form label
    ]
}


def _duplicates(es: dict[str, str], en: dict[str, str]) -> list[list[str]]:
    """Keys of stored values (term.*, loop.*, web.band.*) that name the same value with the
    same text in both languages (ignoring capitals), unless their kinds are distinct things."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for key in es:
        if key.startswith(("term.", "loop.", "web.band.")) and key.count(".") >= 2:
            value = key.rsplit(".", 1)[1]
            groups.setdefault((value, es[key].lower(), en[key].lower()), []).append(key)
    found = []
    for keys in groups.values():
        kinds = {k.split(".")[1] for k in keys}
        if len(keys) > 1 and (len(kinds) < len(keys) or frozenset(kinds) not in DISTINCT_KINDS):
            found.append(keys)
    return found


def test_no_value_has_two_catalogue_entries():
    assert _duplicates(catalog("es"), catalog("en")) == []


def test_the_duplicate_check_finds_a_second_entry_of_a_term():
    es, en = dict(catalog("es")), dict(catalog("en"))
    es["loop.priority.high"], en["loop.priority.high"] = "Alta", "High"
    found = sorted(sorted(keys) for keys in _duplicates(es, en))
    assert found == [["loop.priority.high", "term.priority.high"]]
