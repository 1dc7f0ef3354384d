"""The bank churn snapshot (``bank_churn.csv``) mapped into canonical tables plus features.

The file is one snapshot of 10,000 customers with ``Exited`` = left the bank afterwards. We
place the snapshot at ``as_of`` and every outcome inside the ``horizon_days`` that follow it, so
a health model built as of the snapshot predicts exactly the published label:

* ``accounts``: ``account_id`` = ``CustomerId``, ``name`` = ``Surname``, ``segment`` = the
  ``Geography`` (France, Spain, Germany), ``country`` its ISO code, ``industry`` banking,
  ``start_date`` = ``as_of`` minus ``Tenure`` years and ``CustomerId mod 365`` days (so whole
  years of tenure are those of the file), ``end_date`` = the churn date for exited customers.
* ``outcomes``: ``churn`` when ``Exited`` = 1, else ``renewal``, dated ``as_of`` +
  ``1 + CustomerId mod horizon_days`` days (deterministic, spread over the horizon).
* ``bank_features`` (not canonical: signals for a health model): ``account_id``,
  ``observed_at`` (= ``as_of``), ``credit_score``, ``gender``, ``age``, ``tenure``, ``balance``,
  ``num_of_products``, ``has_cr_card``, ``is_active_member``, ``estimated_salary``. The label
  is deliberately absent; it lives in ``outcomes``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa

from cxpulse.datasets.sources import DatasetError, canonical, require, run, sql_literal

AS_OF = dt.date(2019, 1, 1)
HORIZON_DAYS = 90
COLUMNS = (
    "CustomerId",
    "Surname",
    "CreditScore",
    "Geography",
    "Gender",
    "Age",
    "Tenure",
    "Balance",
    "NumOfProducts",
    "HasCrCard",
    "IsActiveMember",
    "EstimatedSalary",
    "Exited",
)
FEATURES_SCHEMA = pa.schema(
    [
        pa.field("account_id", pa.string()),
        pa.field("observed_at", pa.date32()),
        pa.field("credit_score", pa.int64()),
        pa.field("gender", pa.string()),
        pa.field("age", pa.int64()),
        pa.field("tenure", pa.int64()),
        pa.field("balance", pa.float64()),
        pa.field("num_of_products", pa.int64()),
        pa.field("has_cr_card", pa.bool_()),
        pa.field("is_active_member", pa.bool_()),
        pa.field("estimated_salary", pa.float64()),
    ]
)


def bank_churn_tables(
    csv_path: str | Path, *, as_of: dt.date = AS_OF, horizon_days: int = HORIZON_DAYS
) -> dict[str, pa.Table]:
    """Canonical ``accounts`` and ``outcomes``, and ``bank_features``, from ``bank_churn.csv``.

    >>> from pathlib import Path
    >>> f = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "bank_churn.csv"
    >>> t = bank_churn_tables(f) if f.exists() else None
    >>> t is None or (t["accounts"].num_rows, t["outcomes"].num_rows) == (10000, 10000)
    True
    """
    path = require(csv_path, "data.dataset.bank_churn")
    if horizon_days < 1:
        raise DatasetError(f"horizon_days must be at least 1, got {horizon_days}")
    con = duckdb.connect()
    try:
        con.execute(
            f"CREATE TEMP VIEW raw AS SELECT * FROM read_csv({sql_literal(path)}, "
            "header = true, all_varchar = true)"
        )
        have = {row[0] for row in con.execute("DESCRIBE raw").fetchall()}
        missing = [c for c in COLUMNS if c not in have]
        if missing:
            raise DatasetError(
                key="data.error.dataset_columns",
                values={"path": str(path), "columns": ", ".join(missing)},
                parts={"what": ("data.dataset.bank_churn", {})},
            )
        con.execute(
            f"""
            CREATE TEMP TABLE bank AS
            SELECT CAST(CustomerId AS BIGINT) AS cid, CustomerId AS account_id, Surname,
                   Geography, CAST(Tenure AS BIGINT) AS tenure,
                   CAST(Exited AS BIGINT) = 1 AS exited,
                   DATE '{as_of.isoformat()}' AS as_of, *
            FROM raw
            """
        )
        accounts = run(
            con,
            f"""
            SELECT account_id, Surname AS name, Geography AS segment, 'banking' AS industry,
                   CASE Geography WHEN 'France' THEN 'FR' WHEN 'Spain' THEN 'ES'
                        WHEN 'Germany' THEN 'DE' END AS country,
                   CAST(as_of - tenure * INTERVAL 1 YEAR AS DATE)
                       - CAST(cid % 365 AS INTEGER) AS start_date,
                   CASE WHEN exited THEN
                        as_of + CAST(1 + cid % {horizon_days} AS INTEGER) END AS end_date
            FROM bank ORDER BY cid
            """,
            path,
        )
        outcomes = run(
            con,
            f"""
            SELECT account_id, CASE WHEN exited THEN 'churn' ELSE 'renewal' END AS outcome,
                   as_of + CAST(1 + cid % {horizon_days} AS INTEGER) AS occurred_at
            FROM bank ORDER BY cid
            """,
            path,
        )
        features = run(
            con,
            """
            SELECT account_id, as_of AS observed_at,
                   CAST(CreditScore AS BIGINT) AS credit_score, Gender AS gender,
                   CAST(Age AS BIGINT) AS age, tenure,
                   CAST(Balance AS DOUBLE) AS balance,
                   CAST(NumOfProducts AS BIGINT) AS num_of_products,
                   CAST(HasCrCard AS INTEGER) = 1 AS has_cr_card,
                   CAST(IsActiveMember AS INTEGER) = 1 AS is_active_member,
                   CAST(EstimatedSalary AS DOUBLE) AS estimated_salary
            FROM bank ORDER BY cid
            """,
            path,
        )
    finally:
        con.close()
    return {
        "accounts": canonical(accounts, "accounts"),
        "outcomes": canonical(outcomes, "outcomes"),
        "bank_features": features.cast(FEATURES_SCHEMA),
    }
