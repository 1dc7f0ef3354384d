"""The FastAPI app factory.

>>> from cxpulse.web import create_app
>>> app = create_app("myproject")          # doctest: +SKIP
>>> # uvicorn.run(app, host="127.0.0.1", port=8000)

Pages and endpoints live in one module per resource under ``web/pages/`` (HTML) and
``web/api/`` (JSON under ``/api/v1``); each exposes ``router``. :data:`ROUTER_MODULES` lists
them; a module that is not installed yet is skipped, any other import error is raised.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from cxpulse.config import ProjectConfig, Settings, load_config
from cxpulse.errors import CxpulseError
from cxpulse.web.context import WebContext, resolve_secret
from cxpulse.web.deps import verify_csrf
from cxpulse.web.i18n import LANG_COOKIE
from cxpulse.web.openapi_errors import allowed_methods, document_errors
from cxpulse.web.protection import KIB, MIB, BodyLimitMiddleware, default_rules
from cxpulse.web.session import SessionMiddleware
from cxpulse.web.signin_guard import SigninGuard
from cxpulse.web.templating import language_of, render
from cxpulse.workspace import Workspace

STATIC_DIR = Path(__file__).resolve().parent / "static"
API_PREFIX = "/api/v1"
log = logging.getLogger("cxpulse.web")

ROUTER_MODULES: list[str] = [
    "cxpulse.web.auth",
    "cxpulse.web.pages.overview",
    "cxpulse.web.pages.health",
    "cxpulse.web.pages.model_report",  # /health/report: the active model's report
    "cxpulse.web.pages.accounts",
    "cxpulse.web.pages.training",
    "cxpulse.web.pages.insights",
    "cxpulse.web.pages.drivers",
    "cxpulse.web.pages.admin",
    "cxpulse.web.pages.me",  # security: own password
    "cxpulse.web.api.metrics",
    "cxpulse.web.api.health",
    "cxpulse.web.api.accounts",
    "cxpulse.web.api.training",
    "cxpulse.web.api.tokens",
    # surveys (with the public answer pages under /s/), responses ingestion
    "cxpulse.web.api.surveys",
    "cxpulse.web.api.responses",
    "cxpulse.web.pages.surveys",
    # closed loop
    "cxpulse.web.api.cases",
    "cxpulse.web.pages.cases",
    # operations: /healthz, /readyz, /metrics; jobs and uploads
    "cxpulse.web.monitoring",
    "cxpulse.web.pages.jobs",
    "cxpulse.web.pages.uploads",
    "cxpulse.web.api.tables",
]


def _import_router(module_name: str) -> Any:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:  # that part of the app is not built yet
            return None
        raise
    return getattr(module, "router", None)


def _paths_of(router: Any) -> set[str]:
    found: set[str] = set()
    for route in getattr(router, "routes", []):
        path = getattr(route, "path", None)
        if isinstance(path, str):
            found.add(path)
        inner = getattr(route, "original_router", None)  # a router included in a router
        if inner is not None:
            found |= _paths_of(inner)
    return found


def _build_context(project_dir: str | Path | None, settings: Settings | None) -> WebContext:
    settings = settings or Settings()
    folder = Path(project_dir).resolve() if project_dir is not None else None
    config = load_config(folder) if folder is not None else ProjectConfig()
    ws_url = settings.workspace_url or config.workspace_url()
    store_url = settings.database_url or config.store_url()
    workspace = Workspace.connect(ws_url, config=config)
    return WebContext(
        config=config,
        workspace=workspace,
        store_url=store_url,
        secret_key=resolve_secret(folder, settings),
        project_dir=folder,
    )


def warm_up(ctx: WebContext) -> None:
    """Compute the default overview and health summary once, so the first visitor of a big
    workspace does not wait for them. A failure here shows up again on the page itself."""
    from cxpulse.web.dashboard import OverviewFilters
    from cxpulse.web.pages.health import load_summary
    from cxpulse.web.pages.overview import load_overview

    try:
        load_overview(ctx, OverviewFilters())
        load_summary(ctx, None)
    except Exception as exc:  # the page will report it to the user with context
        log.info("warm-up of the dashboards skipped: %s", exc)


def error_language(request: Request) -> str:
    """The language of an error for this request: ``?lang=``, the language cookie, the first
    of es/en in Accept-Language, else the project's language."""
    if request.query_params.get("lang") in ("es", "en") or request.cookies.get(LANG_COOKIE):
        return language_of(request)
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in ("es", "en"):
            return code
    return language_of(request)


def localized_validation_errors(errors: Any, lang: str) -> list[dict[str, Any]]:
    """Pydantic's errors as FastAPI lists them (``loc``, ``msg``, ``type``), each message
    from the catalogue in ``lang``; the rejected input is not echoed back."""
    from cxpulse.locale.validation import explain_validation_error

    return [
        {
            "loc": list(error.get("loc", ())),
            "msg": explain_validation_error(error, lang),
            "type": error.get("type", ""),
        }
        for error in errors
    ]


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


RESPONDENT_ERRORS = {403: "sec.survey.form_expired", 404: "collect.error.not_found"}


def _respondent_error(request: Request, status: int) -> Response:
    """An error on a public survey page: the survey's page, in the respondent's language."""
    from cxpulse.web import i18n

    lang = i18n.request_language(request, request.app.state.ctx.language)
    key = RESPONDENT_ERRORS.get(status, "sec.survey.error")
    return render(
        request,
        "survey_error.html",
        status_code=status,
        status=status,
        detail=i18n.translate(key, lang),
        lang=lang,
        t=lambda k, **v: i18n.translate(k, lang, **v),
    )


def create_app(
    project_dir: str | Path | None = None,
    *,
    settings: Settings | None = None,
    https_only: bool = False,
) -> FastAPI:
    """The web app serving the project in ``project_dir`` (its cxpulse.toml and stores).

    ``settings`` overrides the ``CXPULSE_*`` environment (workspace and store URLs, secret).
    """
    ctx = _build_context(project_dir, settings)
    web = ctx.config.web_config()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        threading.Thread(target=warm_up, args=(ctx,), name="cxpulse-warm", daemon=True).start()
        yield
        ctx.close()

    app = FastAPI(
        title="cxpulse",
        version="1",
        summary="Customer experience indicators, health scores, surveys and cases.",
        openapi_url="/openapi.json",
        docs_url=None,  # security: Swagger UI served from vendored files (api_docs.py)
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(verify_csrf)],
    )
    app.state.ctx = ctx
    # security: sign-in throttle, cookies Secure behind HTTPS, bodies bounded before parsing
    app.state.signin_guard = SigninGuard(
        account_limits=web.signin_account_limits,
        client_limits=web.signin_client_limits,
        storage=web.rate_limit_storage,
    )
    app.add_middleware(
        SessionMiddleware, secret_key=ctx.secret_key, https_only=https_only or web.https
    )
    app.add_middleware(  # added last: runs first, before the session and any parsing
        BodyLimitMiddleware,
        rules=default_rules(upload_limit=web.upload_max_mb * MIB),
        default=web.max_body_kb * KIB,
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    from cxpulse.web.monitoring import install as install_monitoring

    install_monitoring(app)

    paths: set[str] = set()
    for module_name in ROUTER_MODULES:
        router = _import_router(module_name)
        if router is not None:
            app.include_router(router)
            paths.update(_paths_of(router))
    app.state.paths = paths  # the navigation shows only pages that exist
    if web.api_docs:  # security: vendored Swagger UI, no CDN, no inline script
        from cxpulse.web.api_docs import router as docs_router

        app.include_router(docs_router)

    @app.exception_handler(CxpulseError)
    async def _cxpulse_error(request: Request, exc: CxpulseError) -> Response:
        detail = exc.message_in(error_language(request))
        if _is_api(request):
            return JSONResponse({"detail": detail}, status_code=400)
        return render(request, "error.html", status_code=400, status=400, detail=detail)

    document_errors(app)  # security: every error answer is in the OpenAPI document

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's structure (loc, msg, type), the message in the language of the person asking
        return JSONResponse(
            {"detail": localized_validation_errors(exc.errors(), error_language(request))},
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # security: respondents get a page in their language; a 405 lists every method
        if request.url.path.startswith("/s/"):
            return _respondent_error(request, exc.status_code)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request.app, request.scope))
        # An HTTPException may carry the CxpulseError itself: its text is chosen here, in the
        # language of the person asking.
        detail = exc.detail
        if isinstance(detail, CxpulseError):
            detail = detail.message_in(error_language(request))
        if _is_api(request) or request.method not in ("GET", "HEAD"):
            return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=headers)
        return render(
            request,
            "error.html",
            status_code=exc.status_code,
            status=exc.status_code,
            detail=str(detail),
        )

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    return app


__all__ = ["API_PREFIX", "ROUTER_MODULES", "HTTPException", "create_app"]
