"""UCI Online Retail mapped into canonical ``orders`` and ``accounts`` (repeat purchase, cohorts).

* orders: one per ``InvoiceNo`` with a ``CustomerID``; ``ordered_at`` = the invoice's first
  ``InvoiceDate``; ``amount`` = sum(``Quantity`` x ``UnitPrice``) rounded to cents, signed
  (cancellations are negative, so a plain sum is the net revenue); ``status`` ``cancelled``
  for invoice numbers starting with ``C``, else ``completed``. The purchase metrics count
  ``completed`` orders as purchases and subtract cancellations from net revenue.
* what is left out: invoices without a ``CustomerID`` cannot be attributed to a customer. They
  are not loaded, and :attr:`RetailTables.left_out` says how many invoices, rows and how much
  net revenue that is (on the UCI file: 3,710 invoices, 14.9 % of net revenue).
* accounts: one per customer with an order; ``country`` the ISO code of the ``Country`` of
  the customer's first invoice (null for "Unspecified" and "European Community"),
  ``segment`` ``UK`` or ``International``, ``industry`` retail, ``start_date`` the date of
  the first completed order (of the first order when all were cancelled).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from cxpulse.datasets.sources import DatasetError, canonical, require, run, sql_literal

COUNTRY_CODES = {
    "Australia": "AU",
    "Austria": "AT",
    "Bahrain": "BH",
    "Belgium": "BE",
    "Brazil": "BR",
    "Canada": "CA",
    "Channel Islands": "JE",
    "Cyprus": "CY",
    "Czech Republic": "CZ",
    "Denmark": "DK",
    "EIRE": "IE",
    "Finland": "FI",
    "France": "FR",
    "Germany": "DE",
    "Greece": "GR",
    "Hong Kong": "HK",
    "Iceland": "IS",
    "Israel": "IL",
    "Italy": "IT",
    "Japan": "JP",
    "Lebanon": "LB",
    "Lithuania": "LT",
    "Malta": "MT",
    "Netherlands": "NL",
    "Norway": "NO",
    "Poland": "PL",
    "Portugal": "PT",
    "RSA": "ZA",
    "Saudi Arabia": "SA",
    "Singapore": "SG",
    "Spain": "ES",
    "Sweden": "SE",
    "Switzerland": "CH",
    "USA": "US",
    "United Arab Emirates": "AE",
    "United Kingdom": "GB",
}
COLUMNS = ("InvoiceNo", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country")


@dataclass(frozen=True)
class LeftOut:
    """What the loader did not load, and why."""

    reason: str
    invoices: int
    rows: int
    net_revenue: float
    share_of_net_revenue: float


class RetailTables(dict[str, pa.Table]):
    """The canonical tables by name, with :attr:`left_out` reporting what was not loaded."""

    left_out: tuple[LeftOut, ...] = ()


def online_retail_tables(parquet_path: str | Path) -> RetailTables:
    """Canonical ``orders`` and ``accounts`` from ``online_retail.parquet``.

    >>> from pathlib import Path
    >>> f = Path(__file__).resolve().parents[3].parent / "shared/data/online_retail"
    >>> t = online_retail_tables(f / "online_retail.parquet") if f.exists() else None
    >>> t is None or (t["accounts"].num_rows, t.left_out[0].invoices) == (4372, 3710)
    True
    """
    path = require(parquet_path, "data.dataset.online_retail")
    con = duckdb.connect()
    try:
        con.execute(f"CREATE TEMP VIEW raw AS SELECT * FROM read_parquet({sql_literal(path)})")
        have = {row[0] for row in con.execute("DESCRIBE raw").fetchall()}
        missing = [c for c in COLUMNS if c not in have]
        if missing:
            raise DatasetError(
                key="data.error.dataset_columns",
                values={"path": str(path), "columns": ", ".join(missing)},
                parts={"what": ("data.dataset.online_retail", {})},
            )
        codes = pa.table({"country": list(COUNTRY_CODES), "code": list(COUNTRY_CODES.values())})
        con.register("codes", codes)
        con.execute(
            """
            CREATE TEMP TABLE invoice AS
            SELECT InvoiceNo AS order_id,
                   CAST(CAST(CustomerID AS BIGINT) AS VARCHAR) AS account_id,
                   CAST(MIN(InvoiceDate) AS TIMESTAMP) AS ordered_at,
                   ROUND(SUM(Quantity * UnitPrice), 2) AS amount,
                   CASE WHEN InvoiceNo LIKE 'C%' THEN 'cancelled' ELSE 'completed' END
                       AS status,
                   ARG_MIN(Country, InvoiceDate) AS country
            FROM raw WHERE CustomerID IS NOT NULL
            GROUP BY InvoiceNo, CustomerID
            """
        )
        orders = run(con, "SELECT * FROM invoice ORDER BY ordered_at, order_id", path)
        missing_customer = con.execute(
            """
            SELECT COUNT(DISTINCT InvoiceNo) FILTER (WHERE CustomerID IS NULL),
                   COUNT(*) FILTER (WHERE CustomerID IS NULL),
                   COALESCE(SUM(Quantity * UnitPrice) FILTER (WHERE CustomerID IS NULL), 0),
                   SUM(Quantity * UnitPrice)
            FROM raw
            """
        ).fetchone()
        accounts = run(
            con,
            """
            WITH first AS (
                SELECT account_id, ARG_MIN(country, ordered_at) AS country_name,
                       CAST(COALESCE(MIN(ordered_at) FILTER (WHERE status = 'completed'),
                                     MIN(ordered_at)) AS DATE) AS start_date
                FROM invoice GROUP BY account_id
            )
            SELECT f.account_id, c.code AS country,
                   CASE WHEN f.country_name = 'United Kingdom' THEN 'UK'
                        ELSE 'International' END AS segment,
                   'retail' AS industry, f.start_date
            FROM first f LEFT JOIN codes c ON c.country = f.country_name
            ORDER BY f.account_id
            """,
            path,
        )
    finally:
        con.close()
    out = RetailTables(accounts=canonical(accounts, "accounts"), orders=canonical(orders, "orders"))
    assert missing_customer is not None
    invoices, rows, revenue, total = missing_customer
    out.left_out = (
        LeftOut(
            reason="no CustomerID: the invoice cannot be attributed to a customer",
            invoices=int(invoices),
            rows=int(rows),
            net_revenue=round(float(revenue), 2),
            share_of_net_revenue=float(revenue) / float(total) if total else 0.0,
        ),
    )
    return out
