"""The demo company's accounts and their hidden monthly health.

The simulation runs once for all accounts (accounts x months matrices), independent of how
the activity tables are later chunked, so the same seed gives the same company at any size
of chunk. Its parameters are module constants: the truth files document what they produce.

Latent health (logit scale), per account ``i`` and month ``t``::

    h[i, t] = base[i] + d[i, t],   d[i, t] = PHI * d[i, t-1] + SIGMA * eps,  eps ~ N(0, 1)
    base[i] = SEGMENT_HEALTH[segment] + INDUSTRY_HEALTH[industry] + N(0, BASE_SD)
    health (0-100) = 100 * sigmoid(h)
    churn hazard in month t = sigmoid(CHURN_A + CHURN_B * h[i, t])  (0 in an account's first month)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cxpulse.datasets import catalog as cat
from cxpulse.schema.tables import TABLES
from cxpulse.schema.types import arrow_schema

PHI = 0.8
SIGMA = 0.45
BASE_SD = 0.8
CHURN_A = -4.6
CHURN_B = -1.4
EXPANSION = (-4.1, 1.2)  # monthly P(expansion) = sigmoid(a + b * h)
CONTRACTION = (-4.6, -1.3)  # monthly P(contraction) = sigmoid(a + b * h)
EXISTING_SHARE = 0.7  # accounts that were customers before the window starts
MAX_PAST_DAYS = 3 * 365
US_PER_DAY = 86_400_000_000


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def choose(rng: np.random.Generator, weights: np.ndarray, n: int | None = None) -> np.ndarray:
    """Vectorised categorical draw: one row of ``weights`` per draw, or a single vector."""
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim == 1:
        cum = np.cumsum(w / w.sum())
        assert n is not None
        u = rng.random(n)
        return np.minimum(np.searchsorted(cum, u, side="right"), len(w) - 1)
    cum = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(w))[:, None]
    return np.minimum((u >= cum).sum(axis=1), w.shape[1] - 1)


def padded_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded numbers as an Arrow string array, without Python loops."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


@dataclass
class Company:
    """The simulated accounts: per-account vectors and (accounts x months) matrices."""

    month_starts: np.ndarray  # datetime64[D], months + 1 bounds
    account_ids: pa.Array
    segment: np.ndarray
    industry: np.ndarray
    country: np.ndarray
    owner: np.ndarray
    plan: np.ndarray
    start_day: np.ndarray  # int64 days since epoch
    end_day: np.ndarray  # int64 days since epoch of the churn date; INT64 max if none
    seat_price: np.ndarray
    base: np.ndarray
    latent: np.ndarray  # float32 (n, m): h
    hazard: np.ndarray  # float64 (n, m), 0 outside the customer months and in the first
    active: np.ndarray  # bool (n, m): customer during (part of) the month
    alive_frac: np.ndarray  # float32 (n, m): share of the month as a customer
    licenses: np.ndarray  # int32 (n, m)
    mrr: np.ndarray  # float32 (n, m)
    outcomes: pa.Table

    @property
    def n(self) -> int:
        return len(self.segment)

    @property
    def months(self) -> int:
        return len(self.month_starts) - 1

    @property
    def month_days(self) -> np.ndarray:
        return self.month_starts.astype(np.int64)

    @property
    def churned(self) -> np.ndarray:
        return self.end_day < np.iinfo(np.int64).max


def month_bounds(start: str, months: int) -> np.ndarray:
    first = np.datetime64(start, "M")
    return (first + np.arange(months + 1)).astype("datetime64[D]")


def simulate_company(
    n: int, start: str, months: int, rng: np.random.Generator, width: int = 6
) -> Company:
    """Draw accounts, their latent health path, churn, renewals and licence changes."""
    bounds = month_bounds(start, months)
    mdays = bounds.astype(np.int64)
    dim = np.diff(mdays)
    segment = choose(rng, np.array(cat.SEGMENT_WEIGHTS), n)
    industry = choose(rng, np.array(cat.INDUSTRY_WEIGHTS), n)
    country = choose(rng, np.array(cat.COUNTRY_WEIGHTS), n)
    owner = rng.integers(0, len(cat.CSMS), n)
    plan = choose(rng, np.array(cat.SEGMENT_PLANS)[segment])
    med, sd = np.array(cat.SEGMENT_LICENSES).T
    lic0 = np.maximum(1, np.round(np.exp(np.log(med[segment]) + sd[segment] * rng.normal(size=n))))
    price = np.array(cat.PLAN_SEAT_PRICE)[plan] * rng.uniform(0.8, 1.05, n)

    existing = rng.random(n) < EXISTING_SHARE
    past = mdays[0] - rng.integers(30, MAX_PAST_DAYS, n)
    joined = mdays[0] + (rng.random(n) * (mdays[-1] - mdays[0]) * 0.85).astype(np.int64)
    start_day = np.where(existing, past, joined)
    start_month = np.searchsorted(mdays, start_day, side="right") - 1  # -1: before window

    base = (
        np.array(cat.SEGMENT_HEALTH)[segment]
        + np.array(cat.INDUSTRY_HEALTH)[industry]
        + BASE_SD * rng.normal(size=n)
    )
    latent = np.empty((n, months), dtype=np.float64)
    dev = rng.normal(size=n) * SIGMA / np.sqrt(1 - PHI**2)
    for t in range(months):
        if t:
            dev = PHI * dev + SIGMA * rng.normal(size=n)
        latent[:, t] = base + dev

    hazard = sigmoid(CHURN_A + CHURN_B * latent)
    col = np.arange(months)[None, :]
    hazard[col <= start_month[:, None]] = 0.0  # not yet a customer, or the first month

    big = np.iinfo(np.int64).max
    end_day = np.full(n, big, dtype=np.int64)
    alive = np.ones(n, dtype=bool)
    licenses = np.zeros((n, months), dtype=np.int32)
    lic = lic0.copy()
    exp_rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for t in range(months):
        customer = alive & (start_month <= t)
        churn = customer & (rng.random(n) < hazard[:, t])
        day = mdays[t] + (rng.random(n) * dim[t]).astype(np.int64)
        end_day[churn] = day[churn]
        steady = customer & ~churn & (start_month < t)
        grow = steady & (rng.random(n) < sigmoid(EXPANSION[0] + EXPANSION[1] * latent[:, t]))
        shrink = steady & ~grow
        shrink &= rng.random(n) < sigmoid(CONTRACTION[0] + CONTRACTION[1] * latent[:, t])
        new_lic = np.where(grow, np.ceil(lic * rng.uniform(1.05, 1.35, n)), lic)
        new_lic = np.where(shrink, np.maximum(1, np.floor(lic * rng.uniform(0.7, 0.9, n))), new_lic)
        if grow.any():
            gained = (new_lic - lic)[grow] * price[grow]
            exp_rows.append((np.flatnonzero(grow), day[grow], gained))
        lic = new_lic
        licenses[:, t] = np.where(customer, lic, 0)
        alive &= ~churn

    lo = np.maximum(mdays[None, :-1], start_day[:, None])
    hi = np.minimum(mdays[None, 1:], end_day[:, None])
    alive_frac = (np.clip(hi - lo, 0, None) / dim[None, :]).astype(np.float32)
    churn_month = np.searchsorted(mdays, np.minimum(end_day, mdays[-1] - 1), side="right") - 1
    active = (col >= start_month[:, None]) & (col <= churn_month[:, None])
    mrr = (licenses * price[:, None]).astype(np.float32)

    ids = padded_ids("ACC-", np.arange(1, n + 1), width)
    outcomes = _outcomes(ids, start_day, end_day, start_month, mdays, mrr, exp_rows, months, rng)
    return Company(
        month_starts=bounds,
        account_ids=ids,
        segment=segment,
        industry=industry,
        country=country,
        owner=owner,
        plan=plan,
        start_day=start_day,
        end_day=end_day,
        seat_price=price,
        base=base,
        latent=latent.astype(np.float32),
        hazard=hazard,
        active=active,
        alive_frac=alive_frac,
        licenses=licenses,
        mrr=mrr,
        outcomes=outcomes,
    )


def _outcomes(
    ids: pa.Array,
    start_day: np.ndarray,
    end_day: np.ndarray,
    start_month: np.ndarray,
    mdays: np.ndarray,
    mrr: np.ndarray,
    exp_rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    months: int,
    rng: np.random.Generator,
) -> pa.Table:
    acc: list[np.ndarray] = []
    kind: list[np.ndarray] = []
    day: list[np.ndarray] = []
    value: list[np.ndarray] = []

    def month_of(days: np.ndarray) -> np.ndarray:
        return np.clip(np.searchsorted(mdays, days, side="right") - 1, 0, months - 1)

    churned = np.flatnonzero(end_day < np.iinfo(np.int64).max)
    cm = month_of(end_day[churned])
    prev = np.maximum(cm - 1, 0)
    acc.append(churned)
    kind.append(np.zeros(len(churned), dtype=np.int8))
    day.append(end_day[churned])
    value.append(np.maximum(mrr[churned, cm], mrr[churned, prev]).astype(np.float64))

    start_m = start_day.astype("datetime64[D]").astype("datetime64[M]")
    dom = start_day - start_m.astype("datetime64[D]").astype(np.int64)
    years = int((mdays[-1] - start_day.min()) // 365) + 1
    for k in range(1, years + 1):
        ann_m = start_m + 12 * k
        first = ann_m.astype("datetime64[D]").astype(np.int64)
        last = (ann_m + 1).astype("datetime64[D]").astype(np.int64) - 1
        ann = np.minimum(first + dom, last)
        ok = (ann >= mdays[0]) & (ann < mdays[-1]) & (ann < end_day)
        rows = np.flatnonzero(ok)
        acc.append(rows)
        kind.append(np.ones(len(rows), dtype=np.int8))
        day.append(ann[rows])
        value.append(12.0 * mrr[rows, month_of(ann[rows])].astype(np.float64))

    for rows, days, gained in exp_rows:
        acc.append(rows)
        kind.append(np.full(len(rows), 2, dtype=np.int8))
        day.append(days)
        value.append(gained.astype(np.float64))

    a = np.concatenate(acc)
    k_ = np.concatenate(kind)
    d = np.concatenate(day)
    v = np.round(np.concatenate(value), 2)
    order = np.lexsort((k_, d, a))
    a, k_, d, v = a[order], k_[order], d[order], v[order]
    names = pa.array(["churn", "renewal", "expansion"])
    return pa.Table.from_arrays(
        [
            ids.take(pa.array(a)),
            names.take(pa.array(k_)),
            pa.array(d.astype("datetime64[D]")),
            pa.array(v),
        ],
        schema=arrow_schema(TABLES["outcomes"]),
    )


def accounts_table(c: Company) -> pa.Table:
    """The canonical ``accounts`` table of the simulated company.

    ``mrr`` and ``licenses`` are those of the last month the account was a customer: for a
    churned account, the revenue that was lost.
    """
    rng = np.random.default_rng(int(c.n))  # names only: cosmetic, independent of the seed
    first = rng.integers(0, len(cat.NAME_FIRST), c.n)
    second = rng.integers(0, len(cat.NAME_SECOND), c.n)
    suffix = rng.integers(0, len(cat.NAME_SUFFIX), c.n)
    name = pc.binary_join_element_wise(
        pa.array(cat.NAME_FIRST).take(pa.array(first)),
        pa.array(cat.NAME_SECOND).take(pa.array(second)),
        pa.array(cat.NAME_SUFFIX).take(pa.array(suffix)),
        " ",
    )
    last = np.where(c.active, np.arange(c.months)[None, :], -1).max(axis=1)
    has = last >= 0
    rows = np.arange(c.n)
    cur_lic = np.where(has, c.licenses[rows, np.maximum(last, 0)], 0)
    cur_mrr = np.where(has, c.mrr[rows, np.maximum(last, 0)], 0.0)
    end = np.where(c.churned, c.end_day, 0).astype("datetime64[D]")
    return pa.Table.from_arrays(
        [
            c.account_ids,
            name,
            pa.array(cat.SEGMENTS).take(pa.array(c.segment)),
            pa.array(cat.INDUSTRIES).take(pa.array(c.industry)),
            pa.array(cat.COUNTRIES).take(pa.array(c.country)),
            pa.array(cat.CSM_EMAILS).take(pa.array(c.owner)),
            pa.array(cat.PLANS).take(pa.array(c.plan)),
            pa.array(c.start_day.astype("datetime64[D]")),
            pa.array(end, mask=~c.churned),
            pa.array(np.round(cur_mrr.astype(np.float64), 2)),
            pa.array(cur_lic.astype(np.int64)),
        ],
        schema=arrow_schema(TABLES["accounts"]),
    )


TRUTH_MONTHLY_SCHEMA = pa.schema(
    [
        pa.field("account_id", pa.string()),
        pa.field("month_start", pa.date32()),
        pa.field("health", pa.float64()),
        pa.field("churn_hazard", pa.float64()),
        pa.field("customer", pa.bool_()),
    ]
)
TRUTH_SCHEMA = pa.schema(
    [
        pa.field("account_id", pa.string()),
        pa.field("base_health", pa.float64()),
        pa.field("churned", pa.bool_()),
        pa.field("churn_date", pa.date32()),
    ]
)


def truth_monthly_table(c: Company, rows: slice | None = None) -> pa.Table:
    """Monthly truth of accounts ``rows`` (all by default): health and hazard per month.

    Rows run from each account's start month to the last month, also after a churn: the
    health and hazard it would have had are needed to compute unbiased probabilities.
    """
    rows = rows or slice(0, c.n)
    first = rows.start or 0
    start_month = np.searchsorted(c.month_days, c.start_day[rows], side="right") - 1
    acc, mon = np.nonzero(np.arange(c.months)[None, :] >= start_month[:, None])
    acc = acc + first
    return pa.Table.from_arrays(
        [
            c.account_ids.take(pa.array(acc)),
            pa.array(c.month_starts[mon]),
            pa.array(100.0 * sigmoid(c.latent[acc, mon].astype(np.float64))),
            pa.array(c.hazard[acc, mon]),
            pa.array(c.active[acc, mon]),
        ],
        schema=TRUTH_MONTHLY_SCHEMA,
    )


def truth_table(c: Company) -> pa.Table:
    """One truth row per account: base health, churned, churn date."""
    end = np.where(c.churned, c.end_day, 0).astype("datetime64[D]")
    return pa.Table.from_arrays(
        [
            c.account_ids,
            pa.array(100.0 * sigmoid(c.base)),
            pa.array(c.churned),
            pa.array(end, mask=~c.churned),
        ],
        schema=TRUTH_SCHEMA,
    )
