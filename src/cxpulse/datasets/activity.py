"""Observable activity of a block of accounts: survey responses, usage and tickets.

Every row is drawn from the account's hidden health in that month (``Company.latent``), with
noise; counts are Poisson with a mean proportional to a weight per account-month and scaled so
that the whole company hits a target total. Functions take a block of account indices and a
``numpy.random.Generator`` and return Arrow tables in the canonical schema, built column-wise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cxpulse.datasets import catalog as cat
from cxpulse.datasets import phrases
from cxpulse.datasets.company import US_PER_DAY, Company, choose, padded_ids, sigmoid
from cxpulse.schema.tables import TABLES
from cxpulse.schema.types import arrow_schema

ID_WIDTH = 10

# score = clip(round(LOC + SLOPE * h + NOISE * N(0, 1)), min, max) per kind (nps, csat, ces)
SCORE_MODEL = {"nps": (7.4, 1.5, 1.7), "csat": (3.9, 0.75, 0.85), "ces": (5.0, 0.95, 1.15)}
KINDS = ("nps", "csat", "ces")
KIND_WEIGHTS = (0.5, 0.3, 0.2)
# (negative below, positive from) score thresholds per kind: detractor / promoter style
SENTIMENT_CUTS = {"nps": (7, 9), "csat": (3, 4), "ces": (4, 6)}
COMMENT_RATE = (0.45, 0.2, 0.3)  # P(comment) by sentiment: unhappy customers write more
SEGMENT_RESPONSE_WEIGHT = (1.0, 3.0, 10.0)


@dataclass(frozen=True)
class Block:
    """Accounts ``lo..hi-1`` of the company and the per-table Poisson scales."""

    company: Company
    lo: int
    hi: int
    scales: dict[str, float]

    @property
    def rows(self) -> slice:
        return slice(self.lo, self.hi)


def weights(c: Company, table: str, rows: slice) -> np.ndarray:
    """Relative expected rows per account-month for ``table`` (before scaling)."""
    h = c.latent[rows].astype(np.float64)
    frac = c.alive_frac[rows].astype(np.float64)
    if table == "responses":
        return np.array(SEGMENT_RESPONSE_WEIGHT)[c.segment[rows]][:, None] * frac
    if table == "usage_events":
        return np.sqrt(active_users(c, rows)) * (0.4 + sigmoid(1.5 * h)) * frac
    if table == "tickets":
        return np.sqrt(np.maximum(c.licenses[rows], 1)) * np.exp(-0.6 * h) * frac
    if table == "orders":
        return (0.5 + sigmoid(h)) * frac
    if table == "touchpoints":
        return np.array(cat.SEGMENT_TOUCHPOINT_RATE)[c.segment[rows]][:, None] * frac
    raise KeyError(table)


def active_users(c: Company, rows: slice) -> np.ndarray:
    """Active users in each month: a utilisation of the licences that rises with health."""
    util = 0.2 + 0.75 * sigmoid(1.3 * c.latent[rows].astype(np.float64))
    return np.maximum(1.0, np.round(c.licenses[rows] * util))


def draw_rows(block: Block, table: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Poisson row counts per account-month, expanded to (global account, month) per row."""
    lam = block.scales[table] * weights(block.company, table, block.rows)
    counts = rng.poisson(lam)
    flat = np.repeat(np.arange(counts.size), counts.ravel())
    months = block.company.months
    return block.lo + flat // months, flat % months


def stamp(c: Company, acc: np.ndarray, month: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uniform microsecond timestamps inside the part of the month the account was a customer."""
    md = c.month_days
    lo = np.maximum(md[month], c.start_day[acc])
    hi = np.minimum(md[month + 1], c.end_day[acc])
    span = np.maximum(hi - lo, 0) * US_PER_DAY
    return lo * US_PER_DAY + (rng.random(len(acc)) * span).astype(np.int64)


def ts(us: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(us.astype("datetime64[us]"), mask=mask)


def labels(values: tuple[str, ...], idx: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(values).take(pa.array(idx, mask=mask))


def sub_ids(base: pa.Array, sep: str, k: np.ndarray, width: int = 4) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(k, pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(base, pa.scalar(sep), digits, "")


def responses(block: Block, rng: np.random.Generator, first_id: int) -> pa.Table:
    c = block.company
    acc, mon = draw_rows(block, "responses", rng)
    n = len(acc)
    h = c.latent[acc, mon].astype(np.float64)
    kind = choose(rng, np.array(KIND_WEIGHTS), n)
    loc, slope, noise = (np.array([SCORE_MODEL[k][i] for k in KINDS]) for i in range(3))
    lo_s = np.array([0, 1, 1])[kind]
    hi_s = np.array([10, 5, 7])[kind]
    raw = loc[kind] + slope[kind] * h + noise[kind] * rng.normal(size=n)
    score = np.clip(np.round(raw), lo_s, hi_s).astype(np.int64)
    neg_cut = np.array([SENTIMENT_CUTS[k][0] for k in KINDS])[kind]
    pos_cut = np.array([SENTIMENT_CUTS[k][1] for k in KINDS])[kind]
    sentiment = np.where(score < neg_cut, 0, np.where(score >= pos_cut, 2, 1))
    has_comment = rng.random(n) < np.array(COMMENT_RATE)[sentiment]
    lang_w = np.array([cat.COUNTRY_LANGUAGE[k] for k in cat.COUNTRIES])
    language = choose(rng, lang_w[c.country[acc]])
    theme = choose(rng, phrases.THEME_WEIGHTS[sentiment])
    variant = rng.integers(0, phrases.VARIANTS, n)
    comment_at = phrases.comment_index(language, theme, sentiment, variant)
    touch = choose(rng, np.array(cat.KIND_TOUCHPOINT_WEIGHTS)[kind])
    channel = choose(rng, np.array(cat.SURVEY_CHANNEL_WEIGHTS), n)
    contacts = np.clip(c.licenses[acc, mon] // 3, 1, 60)
    contact = (rng.random(n) * contacts).astype(np.int64)
    at = stamp(c, acc, mon, rng)
    account_ids = c.account_ids.take(pa.array(acc))
    survey = pc.binary_join_element_wise(
        labels(KINDS, kind), labels(cat.SURVEY_TOUCHPOINTS, touch), "-"
    )
    no_comment = ~has_comment
    return pa.Table.from_arrays(
        [
            padded_ids("R", np.arange(first_id, first_id + n), ID_WIDTH),
            account_ids,
            sub_ids(account_ids, "-C", contact, 3),
            survey,
            labels(KINDS, kind),
            pa.array(score),
            ts(at),
            labels(cat.SURVEY_TOUCHPOINTS, touch),
            labels(cat.SURVEY_CHANNELS, channel),
            labels(phrases.LANGUAGES, language, no_comment),
            labels(phrases.COMMENTS, comment_at, no_comment),
        ],
        schema=arrow_schema(TABLES["responses"]),
    )


def usage_events(block: Block, rng: np.random.Generator, first_id: int) -> pa.Table:
    c = block.company
    acc, mon = draw_rows(block, "usage_events", rng)
    n = len(acc)
    h = c.latent[acc, mon].astype(np.float64)
    users = active_users(c, block.rows)[acc - block.lo, mon]
    user = (rng.random(n) * users).astype(np.int64)
    depth = 2 + np.round(10 * sigmoid(1.2 * h))
    feature = (rng.random(n) * depth).astype(np.int64)
    quantity = 1.0 + rng.poisson(2.0 + 4.0 * sigmoid(h))
    account_ids = c.account_ids.take(pa.array(acc))
    return pa.Table.from_arrays(
        [
            padded_ids("E", np.arange(first_id, first_id + n), ID_WIDTH),
            account_ids,
            sub_ids(account_ids, "-U", user, 4),
            ts(stamp(c, acc, mon, rng)),
            labels(cat.FEATURES, feature),
            pa.array(quantity.astype(np.float64)),
        ],
        schema=arrow_schema(TABLES["usage_events"]),
    )


# minutes to first response and hours to resolution by priority (low .. urgent)
FIRST_RESPONSE_MIN = np.array([300.0, 150.0, 45.0, 15.0])
RESOLUTION_HOURS = np.array([60.0, 30.0, 14.0, 6.0])


def tickets(block: Block, rng: np.random.Generator, first_id: int) -> pa.Table:
    c = block.company
    acc, mon = draw_rows(block, "tickets", rng)
    n = len(acc)
    h = c.latent[acc, mon].astype(np.float64)
    tilt = np.array([-0.3, 0.0, 0.5, 0.9])
    base = np.log(np.array([0.35, 0.4, 0.18, 0.07]))
    priority = choose(rng, np.exp(base[None, :] - tilt[None, :] * h[:, None]))
    opened = stamp(c, acc, mon, rng)
    first_min = FIRST_RESPONSE_MIN[priority] * np.exp(-0.25 * h + 0.6 * rng.normal(size=n))
    first = opened + (first_min * 60e6).astype(np.int64)
    fcr = rng.random(n) < sigmoid(0.3 + 0.8 * h)
    hours = RESOLUTION_HOURS[priority] * np.exp(-0.35 * h + 0.8 * rng.normal(size=n))
    hours = np.where(fcr, hours * 0.15, hours)
    resolved = first + (hours * 3600e6).astype(np.int64)
    handle = np.exp(np.log(18.0) - 0.25 * h + 0.25 * priority + 0.5 * rng.normal(size=n))
    end = int(c.month_days[-1]) * US_PER_DAY
    unanswered = first > end
    unresolved = resolved > end
    status = np.where(
        unanswered,
        0,
        np.where(unresolved, 1, np.where(resolved < end - 7 * US_PER_DAY, 3, 2)),
    )
    channel = choose(rng, np.array(cat.TICKET_CHANNEL_WEIGHTS), n)
    category = choose(rng, np.array(cat.TICKET_CATEGORY_WEIGHTS), n)
    # reopens from their own stream, so adding them left every other draw as it was:
    # more likely when the first contact did not solve it and the account is unhappy
    side = np.random.default_rng([first_id, n, 7])
    p_reopen = sigmoid(-2.0 - 0.6 * h + 1.0 * ~fcr)
    reopens = (side.random(n) < p_reopen).astype(np.int64)
    reopens += (reopens > 0) & (side.random(n) < 0.25)
    return pa.Table.from_arrays(
        [
            padded_ids("T", np.arange(first_id, first_id + n), ID_WIDTH),
            c.account_ids.take(pa.array(acc)),
            ts(opened),
            ts(first, unanswered),
            ts(resolved, unresolved),
            labels(("open", "pending", "resolved", "closed"), status),
            labels(cat.PRIORITIES, priority),
            labels(cat.TICKET_CHANNELS, channel),
            labels(cat.TICKET_CATEGORIES, category),
            pa.array(np.round(handle, 1), mask=unresolved),
            pa.array(fcr, mask=unresolved),
            pa.array(reopens, mask=unresolved),
        ],
        schema=arrow_schema(TABLES["tickets"]),
    )


# share of invitations answered, by survey channel (email, web, in-app... as in the catalogue):
# unanswered invitations per answer are drawn around (1 - p) / p
INVITATION_ANSWER_RATE = 0.38


def invitations(responses: pa.Table, first_id: int, seed: Sequence[int]) -> pa.Table:
    """The invitations behind a block's answers: each answer came through one, and about
    (1 - rate) / rate more went unanswered (sent in the days before the answered one)."""
    rng = np.random.default_rng(list(seed))
    n = responses.num_rows
    odds = (1 - INVITATION_ANSWER_RATE) / INVITATION_ANSWER_RATE
    extra = rng.poisson(odds, n)
    source = np.concatenate([np.arange(n), np.repeat(np.arange(n), extra)])
    answered = np.arange(len(source)) < n
    at = responses.column("responded_at").to_numpy().astype("datetime64[us]").astype(np.int64)
    delay = (rng.exponential(0.8, len(source)) * US_PER_DAY).astype(np.int64)
    before = (rng.random(len(source)) * 10 * US_PER_DAY).astype(np.int64)
    invited = np.where(answered, at[source] - delay, at[source] - before)
    take = pa.array(source)
    response_ids = responses.column("response_id").take(take)
    return pa.Table.from_arrays(
        [
            padded_ids("V", np.arange(first_id, first_id + len(source)), ID_WIDTH),
            responses.column("account_id").take(take),
            responses.column("contact_id").take(take),
            responses.column("survey_id").take(take),
            responses.column("channel").take(take),
            ts(invited),
            pa.array(answered),
            ts(at[source], ~answered),
            pc.if_else(pa.array(answered), response_ids, pa.scalar(None, pa.string())),
        ],
        schema=arrow_schema(TABLES["invitations"]),
    )
