"""Published industry NPS benchmarks, shipped as data with their source and year.

Only figures attributable to a public source are listed (``data/nps_benchmarks.csv``); an
industry without a sourced figure is absent rather than estimated. Benchmarks come from
different studies, countries (mostly the U.S.), years and methods (B2B relationship surveys,
B2C consumer panels): compare with the one closest to your market and read its ``notes``.

>>> b = nps_benchmark("Legal services")
>>> b.industry_key, b.nps, b.year
('legal_services', 32.0, 2022)
>>> nps_benchmark("Aerolíneas").industry_en
'Airlines'
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from cxpulse.errors import CxpulseError

COLUMNS = (
    "industry_key",
    "industry_es",
    "industry_en",
    "nps",
    "source",
    "source_url_or_title",
    "year",
    "notes",
)
_BUNDLED = "nps_benchmarks.csv"


class BenchmarkDataError(CxpulseError):
    """A benchmarks CSV is malformed (missing column, NPS outside -100..100, bad year...)."""


@dataclass(frozen=True)
class NpsBenchmark:
    """One published industry NPS with where it comes from."""

    industry_key: str
    industry_es: str
    industry_en: str
    nps: float
    source: str
    source_url_or_title: str
    year: int
    notes: str

    def industry(self, lang: str = "es") -> str:
        """The industry name in ``lang`` ("es" or "en"; anything else falls back to Spanish)."""
        return self.industry_en if lang == "en" else self.industry_es

    @property
    def market(self) -> str:
        """ "B2B" or "B2C", as stated at the start of ``notes`` ("" when not stated)."""
        head = self.notes.split(";", 1)[0].strip().upper()
        return head if head in {"B2B", "B2C"} else ""


def _fold(text: str) -> str:
    """Case-, accent- and separator-insensitive form used to match industry names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("_", " ").replace("-", " ").split())


def _parse(text: str, where: str) -> list[NpsBenchmark]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise BenchmarkDataError(
            key="metrics.error.benchmarks_columns",
            values={"where": where, "columns": ", ".join(missing), "header": ",".join(COLUMNS)},
        )
    rows: list[NpsBenchmark] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        at = {"where": where, "line": line}
        try:
            nps = float(raw["nps"])
            year = int(raw["year"])
        except (TypeError, ValueError) as exc:
            raise BenchmarkDataError(
                key="metrics.error.benchmarks_number",
                values={**at, "nps": raw["nps"], "year": raw["year"]},
            ) from exc
        if not (math.isfinite(nps) and -100.0 <= nps <= 100.0):
            raise BenchmarkDataError(
                key="metrics.error.benchmarks_range", values={**at, "nps": raw["nps"].strip()}
            )
        blank = [c for c in COLUMNS if c != "notes" and not (raw[c] or "").strip()]
        if blank:
            raise BenchmarkDataError(
                key="metrics.error.benchmarks_empty", values={**at, "columns": ", ".join(blank)}
            )
        key = raw["industry_key"].strip()
        if key in seen:
            raise BenchmarkDataError(
                key="metrics.error.benchmarks_repeated", values={**at, "industry": key}
            )
        seen.add(key)
        rows.append(
            NpsBenchmark(
                industry_key=key,
                industry_es=raw["industry_es"].strip(),
                industry_en=raw["industry_en"].strip(),
                nps=nps,
                source=raw["source"].strip(),
                source_url_or_title=raw["source_url_or_title"].strip(),
                year=year,
                notes=(raw["notes"] or "").strip(),
            )
        )
    return rows


@cache
def _bundled() -> tuple[NpsBenchmark, ...]:
    text = resources.files("cxpulse.metrics").joinpath("data", _BUNDLED).read_text("utf-8")
    return tuple(_parse(text, f"cxpulse/metrics/data/{_BUNDLED}"))


def load_benchmarks(path: str | Path | None = None) -> list[NpsBenchmark]:
    """All benchmarks: the bundled list, or the CSV at ``path`` (same columns) if given.

    >>> len(load_benchmarks()) > 10
    True
    """
    if path is None:
        return list(_bundled())
    file = Path(path)
    try:
        text = file.read_text("utf-8-sig")  # a spreadsheet's "CSV UTF-8" starts with a BOM
    except FileNotFoundError as exc:
        raise BenchmarkDataError(
            key="metrics.error.benchmarks_missing", values={"path": str(file)}
        ) from exc
    except OSError as exc:
        raise BenchmarkDataError(
            key="metrics.error.benchmarks_unreadable",
            values={"path": str(file), "reason": exc.strerror or type(exc).__name__},
        ) from exc
    except UnicodeDecodeError as exc:
        raise BenchmarkDataError(
            key="metrics.error.benchmarks_encoding", values={"path": str(file)}
        ) from exc
    return _parse(text, str(file))


def nps_benchmark(industry: str, path: str | Path | None = None) -> NpsBenchmark | None:
    """The benchmark whose key, Spanish or English name matches ``industry``; None if absent.

    Matching ignores case, accents and ``_``/``-``/space differences.

    >>> nps_benchmark("GROCERY").nps
    30.0
    >>> nps_benchmark("farmacias") is None
    True
    """
    wanted = _fold(industry)
    for bench in load_benchmarks(path):
        names = (bench.industry_key, bench.industry_es, bench.industry_en)
        if wanted in {_fold(n) for n in names}:
            return bench
    return None
