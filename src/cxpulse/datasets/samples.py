"""Public sample data loaded into a project: ``cxpulse samples list | load NAME``.

Each sample names the files it reads (relative to a data folder, by default the
``shared/data`` folder next to the repository, or ``CXPULSE_SAMPLES_DIR``) and loads them
through :meth:`Workspace.load`, the path every user file takes. Olist and Online Retail go
through their mapping loaders (joins and aggregates in DuckDB); the bank churn snapshot and
the airline survey are plain read options (attributes, constants, value maps, reshaping).

>>> [s.name for s in SAMPLES]
['olist', 'online_retail', 'bank_churn', 'airline']
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxpulse.datasets.sources import DatasetError

if TYPE_CHECKING:
    from cxpulse.schema.loading import LoadReport
    from cxpulse.workspace import Workspace

BANK_SNAPSHOT = "2019-01-01"
BANK_OUTCOME_DATE = "2019-03-31"
AIRLINE_DATE = "2015-01-01"  # the survey file carries no dates: one survey wave
AIRLINE_QUESTIONS = (
    "Inflight wifi service",
    "Departure/Arrival time convenient",
    "Ease of Online booking",
    "Gate location",
    "Food and drink",
    "Online boarding",
    "Seat comfort",
    "Inflight entertainment",
    "On-board service",
    "Leg room service",
    "Baggage handling",
    "Checkin service",
    "Inflight service",
    "Cleanliness",
)

BANK_ACCOUNTS: dict[str, Any] = {
    "columns": {"CustomerId": "account_id", "Surname": "name", "Geography": "segment"},
    "constants": {"start_date": "2018-12-31", "industry": "banking"},
    "keep_extra": True,
    "exclude": ["RowNumber", "Exited"],  # the label belongs in outcomes, not in the signals
    "snapshot_date": BANK_SNAPSHOT,
}
BANK_OUTCOMES: dict[str, Any] = {
    "columns": {"CustomerId": "account_id", "Exited": "outcome"},
    "values": {"outcome": {"1": "churn", "0": "renewal"}},
    "constants": {"occurred_at": BANK_OUTCOME_DATE},
}
AIRLINE_ACCOUNTS: dict[str, Any] = {
    "columns": {"id": "account_id", "Class": "plan"},
    "constants": {"start_date": "2014-12-31", "industry": "airline"},
    "keep_extra": True,
    "exclude": ["column_1", *AIRLINE_QUESTIONS],
}
AIRLINE_RESPONSES: dict[str, Any] = {
    "columns": {"id": "account_id"},
    "constants": {"responded_at": AIRLINE_DATE, "channel": "survey"},
    "na_values": {"score": ["0"]},  # 0 = not applicable in this survey
    "reshape": {
        "id_column": "id",
        "questions": {q: {"kind": "csat", "touchpoint": q} for q in AIRLINE_QUESTIONS},
    },
}


@dataclass(frozen=True)
class Sample:
    name: str
    description: str
    files: tuple[str, ...]  # relative to the data folder
    load: Callable[[Workspace, Path], list[LoadReport]]


def _arrow_loads(ws: Workspace, tables: dict[str, Any], label: str) -> list[LoadReport]:
    from dataclasses import replace

    reports = []
    for name in ("accounts", "orders", "responses", "outcomes"):
        if name in tables:
            report = ws.load(name, tables[name], mapping={})
            reports.append(replace(report, source=label))
    return reports


def _olist(ws: Workspace, data: Path) -> list[LoadReport]:
    from cxpulse.datasets.olist import olist_tables

    return _arrow_loads(ws, olist_tables(data / "olist"), str(data / "olist"))


def _online_retail(ws: Workspace, data: Path) -> list[LoadReport]:
    from cxpulse.datasets.online_retail import online_retail_tables

    path = data / "online_retail" / "online_retail.parquet"
    return _arrow_loads(ws, online_retail_tables(path), str(path))


def _bank(ws: Workspace, data: Path) -> list[LoadReport]:
    path = data / "bank_churn.csv"
    return [
        ws.load("accounts", path, options=BANK_ACCOUNTS),
        ws.load("outcomes", path, options=BANK_OUTCOMES),
    ]


def _airline(ws: Workspace, data: Path) -> list[LoadReport]:
    path = data / "airline" / "airline_satisfaction_test.csv"
    return [
        ws.load("accounts", path, options=AIRLINE_ACCOUNTS),
        ws.load("responses", path, options=AIRLINE_RESPONSES),
    ]


SAMPLES: tuple[Sample, ...] = (
    Sample(
        "olist",
        "Olist e-commerce: customers, orders and 1-5 reviews with Portuguese comments",
        ("olist/olist_orders_dataset.csv", "olist/olist_order_reviews_dataset.csv"),
        _olist,
    ),
    Sample(
        "online_retail",
        "UCI Online Retail: invoices of a UK retailer, 2010-2011 (repeat purchase, cohorts)",
        ("online_retail/online_retail.parquet",),
        _online_retail,
    ),
    Sample(
        "bank_churn",
        f"Bank customers as one snapshot on {BANK_SNAPSHOT}: attributes and churn outcomes",
        ("bank_churn.csv",),
        _bank,
    ),
    Sample(
        "airline",
        "Airline passenger survey: 14 service ratings (CSAT 1-5, 0 = not applicable)",
        ("airline/airline_satisfaction_test.csv",),
        _airline,
    ),
)


def default_data_dir() -> Path:
    """``CXPULSE_SAMPLES_DIR``, else ``shared/data`` beside the repository or working folder."""
    env = os.environ.get("CXPULSE_SAMPLES_DIR")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parents[3].parent / "shared" / "data"
    if here.exists():
        return here
    return Path.cwd().parent / "shared" / "data"


def get_sample(name: str) -> Sample:
    for sample in SAMPLES:
        if sample.name == name:
            return sample
    raise DatasetError(
        key="data.samples.unknown",
        values={"name": name, "known": ", ".join(s.name for s in SAMPLES)},
    )


def sample_available(sample: Sample, data_dir: Path) -> bool:
    return all((data_dir / f).exists() for f in sample.files)


def load_sample(ws: Workspace, name: str, data_dir: str | Path | None = None) -> list[LoadReport]:
    """Load sample ``name`` from ``data_dir`` into the workspace; one report per table."""
    sample = get_sample(name)
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    missing = [f for f in sample.files if not (folder / f).exists()]
    if missing:
        raise DatasetError(
            key="data.samples.missing",
            values={"name": name, "folder": str(folder), "files": ", ".join(missing)},
        )
    return sample.load(ws, folder)
