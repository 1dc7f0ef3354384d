"""Protections in front of every request: bounded bodies and the security headers.

:class:`BodyLimitMiddleware` refuses a body larger than its route allows *before* anything
parses it: by its ``Content-Length`` at once, and by counting as it streams in when no
length is sent. Sign-in and answer forms allow a few kilobytes, JSON calls
:data:`DEFAULT_LIMIT`, uploads their own (``[web] upload_max_mb``). JSON nested deeper
than :data:`MAX_JSON_DEPTH` is refused too (no parser recursion on hostile input).

:data:`SECURITY_HEADERS` go on every response: a Content-Security-Policy that runs only the
app's own script files (no inline script, no eval, no other origin), no framing, no MIME
sniffing, and no referrer sent to other sites.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KIB = 1024
MIB = 1024 * KIB
DEFAULT_LIMIT = 1 * MIB
UPLOAD_LIMIT = 100 * MIB
MAX_JSON_DEPTH = 64

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # inline style attributes are layout only; scripts are what CSP must pin down
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
HSTS = "max-age=31536000"


@dataclass(frozen=True)
class BodyRule:
    """Requests with ``method`` on a path matching ``pattern`` may send ``limit`` bytes."""

    method: str
    pattern: str
    limit: int

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and re.fullmatch(self.pattern, path) is not None


def default_rules(upload_limit: int = UPLOAD_LIMIT) -> list[BodyRule]:
    """Small limits where people type, the upload limit for table uploads."""
    return [
        BodyRule("POST", r"/login", 16 * KIB),
        BodyRule("POST", r"/logout", 16 * KIB),
        BodyRule("POST", r"/me/password", 16 * KIB),
        # one answer: a score and a comment of at most 5,000 characters, form-encoded
        BodyRule("POST", r"/s/[^/]+", 64 * KIB),
        BodyRule("POST", r"/api/v1/tables/[^/]+", upload_limit),
        BodyRule("POST", r"/upload", upload_limit),  # the upload page's form
    ]


class BodyTooLarge(HTTPException):
    """Raised inside ``receive`` when a streamed body passes its limit. An HTTP error, so a
    form or JSON parser that meets it answers 413 instead of "cannot parse the body"."""

    def __init__(self, limit: int) -> None:
        from cxpulse.locale import gettext

        self.limit = limit
        super().__init__(413, gettext("sec.body.too_large", "en", kb=limit // KIB))


def json_depth(body: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text (strings ignored)."""
    stripped = re.sub(rb'"(?:[^"\\]|\\.)*"', b"", body)
    depth = deepest = 0
    for bracket in re.findall(rb"[\[\]{}]", stripped):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return -1
    return None


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return b"json" in value.lower()
    return False


async def _refuse(scope: Scope, send: Send, status: int, key: str, **values: Any) -> None:
    from cxpulse.locale import gettext

    english = gettext(key, "en", **values)
    if scope["path"].startswith("/api/"):
        body = json.dumps({"detail": english, "key": key}).encode()
        kind = b"application/json"
    else:
        body = (gettext(key, "es", **values) + "\n" + english + "\n").encode()
        kind = b"text/plain; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    headers.append((b"connection", b"close"))
    headers += [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """Refuse bodies over their route's limit before they are read or parsed."""

    def __init__(
        self, app: ASGIApp, *, rules: list[BodyRule] | None = None, default: int = DEFAULT_LIMIT
    ) -> None:
        self.app = app
        self.rules = rules if rules is not None else default_rules()
        self.default = default

    def limit_for(self, method: str, path: str) -> int:
        for rule in self.rules:
            if rule.matches(method, path):
                return rule.limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared < 0:
            await _refuse(scope, send, 400, "sec.body.bad_length")
            return
        if declared is not None and declared > limit:
            await _refuse(scope, send, 413, "sec.body.too_large", kb=limit // KIB)
            return
        if _is_json(scope):
            await self._json(scope, receive, send, limit)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if not started:
                await _refuse(scope, send, 413, "sec.body.too_large", kb=limit // KIB)

    async def _json(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """A JSON body is small: read it whole (bounded), check its nesting, replay it."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _refuse(scope, send, 413, "sec.body.too_large", kb=limit // KIB)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if json_depth(body) > MAX_JSON_DEPTH:
            await _refuse(scope, send, 400, "sec.body.too_deep", depth=MAX_JSON_DEPTH)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
