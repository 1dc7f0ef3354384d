"""The OpenAPI document names every answer the API can give, errors included.

Each JSON operation may answer 400 (a request that cannot be answered as asked), 401 (no or
a bad token), 403 (your role may not), 404 (something named does not exist), 422 (a
parameter or field is invalid) and 429 (throttled); operations with a body also 409
(conflicts: a reused Idempotency-Key, a closed survey, a state change not allowed) and 413
(body too large). :func:`document_errors` adds what the routes do not declare themselves.

A method a path does not have answers 405 with the ``Allow`` header listing the ones it has
(:func:`allowed_methods`), whichever route of that path the router tried.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from starlette.routing import Match

PROBLEM_SCHEMA = {
    "title": "Problem",
    "type": "object",
    "properties": {
        "detail": {"description": "what was wrong and what to do (text, or a list of errors)"},
        "key": {"type": "string", "description": "message catalogue key, when there is one"},
    },
    "required": ["detail"],
}
COMMON = {
    "400": "the request cannot be answered as asked (the detail says why)",
    "401": "authentication required: sign in or send an API token",
    "403": "your role may not do this",
    "404": "something the request names does not exist",
    "422": "a parameter or field is invalid",
    "429": "too many requests; wait as Retry-After says",
}
WITH_BODY = {
    "409": "conflict: an Idempotency-Key reused with another body, or a state that forbids it",
    "413": "the body is larger than this operation accepts",
}
BODY_METHODS = {"post", "put", "patch", "delete"}


def _add(responses: dict[str, Any], code: str, text: str) -> None:
    if code not in responses:
        responses[code] = {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }


def document_errors(app: FastAPI) -> None:
    """Make ``app.openapi()`` list the common error answers on every ``/api/`` operation."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build()
        spec.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        for path, item in spec.get("paths", {}).items():
            if not path.startswith("/api/"):
                continue
            for method, operation in item.items():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                for code, text in COMMON.items():
                    _add(operation["responses"], code, text)
                if method in BODY_METHODS:
                    for code, text in WITH_BODY.items():
                        _add(operation["responses"], code, text)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def allowed_methods(app: Any, scope: Mapping[str, Any]) -> list[str]:
    """Every method some route of this path answers (for the Allow header of a 405)."""
    methods: set[str] = set()
    probe = dict(scope)
    for route in app.router.routes:
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            probe["method"] = method
            match, _ = route.matches(probe)
            if match == Match.FULL:
                methods.add(method)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)
