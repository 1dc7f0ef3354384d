"""Olist (Brazilian e-commerce) mapped into canonical ``accounts``, ``orders`` and ``responses``.

Mapping (the shared sample holds the first rows of each Olist table, so many orders lack
their customer and many reviews lack their order):

* account: the customer's ``customer_unique_id`` when the order's customer is known; else the
  order's ``customer_id`` (Olist's per-order customer key); for a review whose order is absent,
  ``order-<order_id>``. Accounts are every account an order or review refers to; ``segment``
  is the Brazilian region of the customer's state (null when unknown), ``country`` ``BR``,
  ``start_date`` the first order's date (the first review's date when no order is known).
* orders: ``order_purchase_timestamp``, amount = sum of ``payment_value`` of the order
  (null without payments), status = ``order_status``.
* responses: one per review, ``kind`` ``csat`` with ``review_score`` 1-5, responded at
  ``review_creation_date``, comment = title and message joined by ". " (language ``pt`` when
  there is a comment). ``response_id`` is ``review_id``, or ``review_id:order_id`` for the few
  reviews Olist shares between orders.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from cxpulse.datasets.sources import canonical, require, run, sql_literal

FILES = {
    "customers": "olist_customers_dataset.csv",
    "orders": "olist_orders_dataset.csv",
    "payments": "olist_order_payments_dataset.csv",
    "reviews": "olist_order_reviews_dataset.csv",
}
WHITESPACE = "' ' || chr(9) || chr(10) || chr(13)"  # comments end in stray CR/LF
REGIONS = {
    "Norte": ("AC", "AP", "AM", "PA", "RO", "RR", "TO"),
    "Nordeste": ("AL", "BA", "CE", "MA", "PB", "PE", "PI", "RN", "SE"),
    "Centro-Oeste": ("DF", "GO", "MT", "MS"),
    "Sudeste": ("ES", "MG", "RJ", "SP"),
    "Sul": ("PR", "RS", "SC"),
}


def _region_sql() -> str:
    cases = " ".join(
        f"WHEN customer_state IN ({', '.join(repr(s) for s in states)}) THEN '{region}'"
        for region, states in REGIONS.items()
    )
    return f"CASE {cases} END"


def olist_tables(data_dir: str | Path) -> dict[str, pa.Table]:
    """Canonical ``accounts``, ``orders`` and ``responses`` from the Olist CSV files.

    >>> from pathlib import Path
    >>> d = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "olist"
    >>> tables = olist_tables(d) if d.exists() else None
    >>> tables is None or tables["responses"].num_rows == 6123
    True
    """
    base = require(data_dir, "data.dataset.olist_folder")
    paths = {k: require(base / v, "data.dataset.olist_table", table=k) for k, v in FILES.items()}
    con = duckdb.connect()
    try:
        for name, path in paths.items():
            con.execute(
                f"CREATE TEMP VIEW {name} AS SELECT * FROM read_csv({sql_literal(path)}, "
                "header = true, all_varchar = true, quote = '\"', escape = '\"')"
            )
        con.execute(
            f"""
            CREATE TEMP TABLE order_account AS
            SELECT o.order_id, COALESCE(c.customer_unique_id, o.customer_id) AS account_id,
                   CAST(o.order_purchase_timestamp AS TIMESTAMP) AS ordered_at,
                   o.order_status, {_region_sql()} AS region
            FROM orders o LEFT JOIN customers c USING (customer_id)
            """
        )
        orders = run(
            con,
            """
            SELECT oa.order_id, oa.account_id, oa.ordered_at, p.amount,
                   oa.order_status AS status
            FROM order_account oa LEFT JOIN (
                SELECT order_id, ROUND(SUM(CAST(payment_value AS DOUBLE)), 2) AS amount
                FROM payments GROUP BY order_id) p USING (order_id)
            ORDER BY oa.ordered_at, oa.order_id
            """,
            paths["orders"],
        )
        con.execute(
            f"""
            CREATE TEMP TABLE review_rows AS
            SELECT CASE WHEN COUNT(*) OVER (PARTITION BY r.review_id) > 1
                        THEN r.review_id || ':' || r.order_id ELSE r.review_id END
                       AS response_id,
                   COALESCE(oa.account_id, 'order-' || r.order_id) AS account_id,
                   'olist-review' AS survey_id, 'csat' AS kind,
                   CAST(r.review_score AS BIGINT) AS score,
                   CAST(r.review_creation_date AS TIMESTAMP) AS responded_at,
                   'post-purchase' AS touchpoint,
                   NULLIF(CONCAT_WS('. ', NULLIF(TRIM(r.review_comment_title, {WHITESPACE}), ''),
                                    NULLIF(TRIM(r.review_comment_message, {WHITESPACE}), '')), '')
                       AS comment
            FROM reviews r LEFT JOIN order_account oa USING (order_id)
            """
        )
        responses = run(
            con,
            """
            SELECT *, CASE WHEN comment IS NOT NULL THEN 'pt' END AS language
            FROM review_rows ORDER BY responded_at, response_id
            """,
            paths["reviews"],
        )
        accounts = run(
            con,
            """
            WITH seen AS (
                SELECT account_id, ordered_at AS seen_at, region FROM order_account
                UNION ALL
                SELECT account_id, responded_at, NULL FROM review_rows
                WHERE account_id NOT IN (SELECT account_id FROM order_account)
            )
            SELECT account_id, ANY_VALUE(region) AS segment, 'retail' AS industry,
                   'BR' AS country, CAST(MIN(seen_at) AS DATE) AS start_date
            FROM seen GROUP BY account_id ORDER BY account_id
            """,
            paths["customers"],
        )
    finally:
        con.close()
    return {
        "accounts": canonical(accounts, "accounts"),
        "orders": canonical(orders, "orders"),
        "responses": canonical(responses, "responses"),
    }
