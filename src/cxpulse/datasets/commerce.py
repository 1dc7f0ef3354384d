"""Money and relationship tables of a block of accounts: invoices, orders and touchpoints.

Invoices are monthly (one per month with any days as a customer, prorated in the first
month) at the account's MRR of that month; payment is later, and more often overdue or
unpaid, when the hidden health is low. Touchpoint ratings are the CSM's 1-5 view of the
account: the hidden health plus noise.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from cxpulse.datasets import catalog as cat
from cxpulse.datasets.activity import ID_WIDTH, Block, draw_rows, labels, stamp, ts
from cxpulse.datasets.company import choose, padded_ids, sigmoid
from cxpulse.schema.tables import TABLES
from cxpulse.schema.types import arrow_schema

PAYMENT_DAYS = 14.0  # median days from issue to payment at h = 0
DUE_DAYS = 30
NOTES = {
    "es": (
        "Cliente molesto, evalúa alternativas.",
        "Baja adopción y reclamos abiertos.",
        "Relación estable, sin novedades.",
        "Buena adopción, interés en nuevos módulos.",
        "Muy satisfechos, dispuestos a ser referencia.",
    ),
    "en": (
        "Upset customer, evaluating alternatives.",
        "Low adoption and open complaints.",
        "Stable relationship, nothing new.",
        "Good adoption, interested in new modules.",
        "Very happy, willing to be a reference.",
    ),
}


def invoices(block: Block, rng: np.random.Generator, first_id: int) -> pa.Table:
    c = block.company
    frac = c.alive_frac[block.rows]
    acc_l, mon = np.nonzero(frac > 0)
    acc = block.lo + acc_l
    n = len(acc)
    md = c.month_days
    h = c.latent[acc, mon].astype(np.float64)
    first_month = c.start_day[acc] >= md[mon]
    period_start = np.where(first_month, c.start_day[acc], md[mon])
    share = (md[mon + 1] - period_start) / (md[mon + 1] - md[mon])
    amount = np.round(c.mrr[acc, mon].astype(np.float64) * share, 2)
    issued = period_start
    due = issued + DUE_DAYS
    delay = PAYMENT_DAYS * np.exp(-0.6 * h + 0.5 * rng.normal(size=n))
    paid = issued + np.ceil(delay).astype(np.int64)
    # accounts on their way out leave some invoices unpaid
    leaving = c.end_day[acc] - issued < 75
    bad_debt = leaving & (rng.random(n) < 0.5)
    void = rng.random(n) < 0.01
    unpaid = bad_debt | void | (paid >= md[-1])
    status = np.where(void, 2, np.where(unpaid, 1, 0))
    return pa.Table.from_arrays(
        [
            padded_ids("INV", np.arange(first_id, first_id + n), ID_WIDTH),
            c.account_ids.take(pa.array(acc)),
            pa.array(issued.astype("datetime64[D]")),
            pa.array(period_start.astype("datetime64[D]")),
            pa.array((md[mon + 1] - 1).astype("datetime64[D]")),
            pa.array(due.astype("datetime64[D]")),
            pa.array(paid.astype("datetime64[D]"), mask=unpaid),
            pa.array(amount),
            labels(("paid", "open", "void"), status),
        ],
        schema=arrow_schema(TABLES["invoices"]),
    )


def orders(block: Block, rng: np.random.Generator, first_id: int) -> pa.Table:
    c = block.company
    acc, mon = draw_rows(block, "orders", rng)
    n = len(acc)
    h = c.latent[acc, mon].astype(np.float64)
    size = np.array([150.0, 600.0, 2500.0])[c.segment[acc]]
    amount = np.round(size * np.exp(0.7 * rng.normal(size=n)), 2)
    p_cancel = sigmoid(-3.0 - 0.8 * h)
    u = rng.random(n)
    status = np.where(u < p_cancel, 1, np.where(u < p_cancel * 1.3, 2, 0))
    return pa.Table.from_arrays(
        [
            padded_ids("O", np.arange(first_id, first_id + n), ID_WIDTH),
            c.account_ids.take(pa.array(acc)),
            ts(stamp(c, acc, mon, rng)),
            pa.array(amount),
            labels(cat.ORDER_STATUSES, status),
        ],
        schema=arrow_schema(TABLES["orders"]),
    )


def touchpoints(block: Block, rng: np.random.Generator, first_id: int) -> pa.Table:
    c = block.company
    acc, mon = draw_rows(block, "touchpoints", rng)
    n = len(acc)
    h = c.latent[acc, mon].astype(np.float64)
    kind = choose(rng, np.array(cat.SEGMENT_TOUCHPOINT_WEIGHTS)[c.segment[acc]])
    rating = np.clip(np.round(3.0 + 1.1 * h + 0.7 * rng.normal(size=n)), 1, 5).astype(np.int64)
    no_rating = kind == 0  # e-mails carry no rating
    spanish = np.isin(c.country[acc], [i for i, k in enumerate(cat.COUNTRIES) if k != "US"])
    note_at = np.where(spanish, 0, 5) + rating - 1
    notes = NOTES["es"] + NOTES["en"]
    return pa.Table.from_arrays(
        [
            padded_ids("TP", np.arange(first_id, first_id + n), ID_WIDTH),
            c.account_ids.take(pa.array(acc)),
            ts(stamp(c, acc, mon, rng)),
            labels(cat.TOUCHPOINT_KINDS, kind),
            labels(cat.CSM_EMAILS, c.owner[acc]),
            pa.array(rating, mask=no_rating),
            labels(notes, note_at, no_rating),
        ],
        schema=arrow_schema(TABLES["touchpoints"]),
    )


__all__ = ["invoices", "orders", "touchpoints"]
