"""Run the web app with uvicorn.

>>> # serve("myproject", port=8000)   # blocks until Ctrl+C

One process by default; ``workers=N`` starts N uvicorn worker processes, each building the
app from :func:`app_from_environment` (the project folder travels in ``CXPULSE_PROJECT``).
Behind a reverse proxy that terminates HTTPS, ``trusted_proxies`` makes the app believe
``X-Forwarded-Proto``/``-For`` from those addresses only, and ``https`` marks cookies Secure
and sends HSTS (see docs/deploy.md).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from cxpulse import store
from cxpulse.config import load_config


def count_users(project_dir: str | Path) -> int:
    """How many active users the project's store has (0 means nobody can sign in yet)."""
    from sqlalchemy import func, select

    url = load_config(project_dir).store_url()
    store.migrate(url)
    with store.session(url) as s:
        return int(s.scalar(select(func.count(store.User.id)).where(store.User.active)) or 0)


def app_from_environment() -> Any:
    """The app of the project in ``CXPULSE_PROJECT`` (the factory uvicorn workers call)."""
    from cxpulse.logs import configure_logging
    from cxpulse.web.app import create_app

    if os.environ.get("CXPULSE_LOG_FORMAT"):
        configure_logging()
    project = os.environ.get("CXPULSE_PROJECT", ".")
    https = os.environ.get("CXPULSE_HTTPS_ONLY", "").lower() in ("1", "true", "yes")
    app = create_app(project, https_only=https or load_config(project).web_config().https)
    logging.getLogger("cxpulse.web").info("app worker %d serving %s", os.getpid(), project)
    return app


def serve(
    project_dir: str | Path = ".",
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    https: bool = False,
    trusted_proxies: list[str] | None = None,
    workers: int = 1,
) -> None:
    """Serve the project's web app until interrupted.

    ``https``: the app is reached over HTTPS only (cookies Secure, HSTS). ``trusted_proxies``:
    addresses of reverse proxies whose ``X-Forwarded-For``/``-Proto`` are believed (so the
    client address the sign-in throttle counts, and HTTPS, come from the proxy). Both also
    come from ``[web] https`` and ``[web] trusted_proxies``. The job scheduler runs inside
    when ``[jobs] in_app`` is true (the default).
    """
    import uvicorn

    from cxpulse.jobs.running import jobs_config
    from cxpulse.logs import configure_logging
    from cxpulse.web.app import create_app

    os.umask(0o077)  # stores, logs and exports the server creates are its owner's only
    config = load_config(project_dir)
    web = config.web_config()
    proxies = list(trusted_proxies or []) + web.trusted_proxies
    if jobs_config(config).in_app:
        os.environ.setdefault("CXPULSE_RUN_JOBS", "1")
    log_level = os.environ.get("CXPULSE_LOG_LEVEL", "warning").lower()
    allowed = ",".join(proxies) if proxies else "127.0.0.1"
    if workers > 1:
        # uvicorn's own supervisor runs the workers; exec'ing it keeps the spawned workers
        # from re-importing this CLI (they start faster, and the supervisor's first ping,
        # answered only once a worker has imported the analytics stack, is given 120 s)
        os.environ["CXPULSE_PROJECT"] = str(Path(project_dir).resolve())
        if https or web.https:
            os.environ["CXPULSE_HTTPS_ONLY"] = "1"
        argv = [
            sys.executable, "-m", "uvicorn", "cxpulse.web.server:app_from_environment",
            "--factory", "--workers", str(workers), "--host", host, "--port", str(port),
            "--log-level", log_level, "--no-access-log", "--no-server-header",
            "--timeout-worker-healthcheck", "120", "--forwarded-allow-ips", allowed,
            "--proxy-headers" if proxies else "--no-proxy-headers",
        ]  # fmt: skip
        os.execv(sys.executable, argv)
    if os.environ.get("CXPULSE_LOG_FORMAT"):
        configure_logging()
    app = create_app(project_dir, https_only=https or web.https)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=allowed,
        server_header=False,
    )
