"""One timeline per account: answers, tickets, cases, touchpoints (from the data and logged in
the app), score changes and manual overrides, newest first, with labels in the reader's
language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from cxpulse.locale import gettext, term

LIMIT = 60


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str  # answer, ticket, case, touchpoint, score, override
    title: str
    detail: str | None = None
    href: str | None = None
    tone: str = ""  # good, bad, warn or ""


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        try:
            return _when(datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def _answer_tone(kind: str, score: int) -> str:
    low = {"nps": 6, "csat": 2, "ces": 3}.get(kind, -1)
    high = {"nps": 9, "csat": 4, "ces": 5}.get(kind, 99)
    return "bad" if score <= low else "good" if score >= high else ""


def account_timeline(
    *,
    lang: str,
    responses: list[dict[str, Any]],
    tickets: list[dict[str, Any]],
    cases: list[dict[str, Any]],
    touchpoints: list[dict[str, Any]],
    history: list[dict[str, Any]],
    overrides: list[Any],
    people: dict[str, str],
    limit: int = LIMIT,
) -> list[Event]:
    """Every dated thing that happened to the account, newest first (``limit`` of them)."""
    out: list[Event] = []
    for r in responses:
        at = _when(r.get("responded_at"))
        if at is None:
            continue
        kind = str(r.get("kind") or "")
        label = f"{kind.upper()} {r.get('score')}"
        if r.get("touchpoint"):
            label += f" · {term('touchpoint', r['touchpoint'], lang)}"
        out.append(
            Event(
                at,
                "answer",
                label,
                r.get("comment"),
                None,
                _answer_tone(kind, int(r.get("score") or 0)),
            )
        )
    for tk in tickets:
        at = _when(tk.get("opened_at"))
        if at is None:
            continue
        title = gettext(
            "cx.timeline.ticket",
            lang,
            category=term("category", tk.get("category"), lang) or "—",
            priority=term("priority", tk.get("priority"), lang),
            status=term("ticket_status", tk.get("status"), lang),
        )
        tone = "bad" if tk.get("priority") in ("high", "urgent") else ""
        out.append(Event(at, "ticket", title, None, None, tone))
    for c in cases:
        at = _when(c.get("created_at"))
        if at is None:
            continue
        detail = term("status", c.get("status"), lang)
        out.append(
            Event(at, "case", f"#{c['id']} · {c['title']}", detail, f"/cases/{c['id']}", "warn")
        )
    for tp in touchpoints:
        at = _when(tp.get("occurred_at"))
        if at is None:
            continue
        who = people.get(str(tp.get("owner") or ""), tp.get("owner"))
        title = term("touchpoint", tp.get("kind"), lang)
        title = title[:1].upper() + title[1:]
        if who:
            title += f" · {who}"
        if tp.get("rating"):
            title += " · " + gettext("cx.timeline.rating", lang, rating=int(tp["rating"]))
        out.append(Event(at, "touchpoint", title, tp.get("note")))
    previous: dict[str, Any] | None = None
    for h in history:  # oldest first: a band change is a score event
        if previous is not None and h.get("band") != previous.get("band"):
            at = _when(h.get("date"))
            if at is not None:
                worse = ("green", "yellow", "red").index(str(h["band"])) > (
                    "green",
                    "yellow",
                    "red",
                ).index(str(previous["band"]))
                out.append(
                    Event(
                        at,
                        "score",
                        gettext(
                            "cx.timeline.band",
                            lang,
                            before=term("band", previous["band"], lang),
                            after=term("band", h["band"], lang),
                            score=f"{float(h['score']):.0f}",
                        ),
                        None,
                        None,
                        "bad" if worse else "good",
                    )
                )
        previous = h
    for o in overrides:
        who = people.get(o.created_by, o.created_by)
        out.append(
            Event(
                _when(o.created_at) or datetime.now(UTC),
                "override",
                gettext(
                    "cx.timeline.override",
                    lang,
                    band=term("band", o.band, lang),
                    who=who,
                    until=o.expires_at.date().isoformat(),
                ),
                o.reason
                + (
                    " · "
                    + gettext(
                        "cx.timeline.override_ended", lang, who=people.get(o.ended_by, o.ended_by)
                    )
                    if o.ended_at
                    else ""
                ),
                None,
                "warn",
            )
        )
    out.sort(key=lambda e: e.at, reverse=True)
    return out[:limit]
