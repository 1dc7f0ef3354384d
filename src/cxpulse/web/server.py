"""Run the web app with uvicorn.

>>> # serve("myproject", port=8000)   # blocks until Ctrl+C

One process by default; ``workers=N`` starts N uvicorn worker processes, each building the
app from :func:`app_from_environment` (the project folder travels in ``CXPULSE_PROJECT``).
Behind a reverse proxy that terminates HTTPS, ``proxy_headers=True`` makes the app trust
``X-Forwarded-Proto``/``-For`` from ``forwarded_allow_ips`` only (see docs/deploy.md).
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
    app = create_app(
        project,
        https_only=os.environ.get("CXPULSE_HTTPS_ONLY", "").lower() in ("1", "true", "yes"),
    )
    logging.getLogger("cxpulse.web").info("app worker %d serving %s", os.getpid(), project)
    return app


def serve(
    project_dir: str | Path = ".",
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    proxy_headers: bool = False,
    forwarded_allow_ips: str = "127.0.0.1",
) -> None:
    """Serve the project's web app until interrupted (with the job scheduler inside when
    ``[jobs] in_app`` is true, the default)."""
    import uvicorn

    from cxpulse.jobs.running import jobs_config

    if jobs_config(load_config(project_dir)).in_app:
        os.environ.setdefault("CXPULSE_RUN_JOBS", "1")

    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": os.environ.get("CXPULSE_LOG_LEVEL", "warning").lower(),
        "access_log": False,
        "proxy_headers": proxy_headers,
        "forwarded_allow_ips": forwarded_allow_ips,
    }
    if workers > 1:
        # uvicorn's own supervisor runs the workers; exec'ing it keeps the spawned workers
        # from re-importing this CLI (they start faster, and the supervisor's first ping,
        # answered only once a worker has imported the analytics stack, is given 120 s)
        os.environ["CXPULSE_PROJECT"] = str(Path(project_dir).resolve())
        argv = [
            sys.executable, "-m", "uvicorn", "cxpulse.web.server:app_from_environment",
            "--factory", "--workers", str(workers), "--host", host, "--port", str(port),
            "--log-level", options["log_level"], "--no-access-log",
            "--timeout-worker-healthcheck", "120",
            "--forwarded-allow-ips", forwarded_allow_ips,
            "--proxy-headers" if proxy_headers else "--no-proxy-headers",
        ]  # fmt: skip
        os.execv(sys.executable, argv)
    from cxpulse.logs import configure_logging
    from cxpulse.web.app import create_app

    if os.environ.get("CXPULSE_LOG_FORMAT"):
        configure_logging()
    uvicorn.run(create_app(project_dir), **options)
