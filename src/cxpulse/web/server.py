"""Run the web app with uvicorn on the loopback interface.

>>> # serve("myproject", port=8000)   # blocks until Ctrl+C
"""

from __future__ import annotations

from pathlib import Path

from cxpulse import store
from cxpulse.config import load_config


def count_users(project_dir: str | Path) -> int:
    """How many active users the project's store has (0 means nobody can sign in yet)."""
    from sqlalchemy import func, select

    url = load_config(project_dir).store_url()
    store.migrate(url)
    with store.session(url) as s:
        return int(s.scalar(select(func.count(store.User.id)).where(store.User.active)) or 0)


def serve(
    project_dir: str | Path = ".",
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    https: bool = False,
    trusted_proxies: list[str] | None = None,
) -> None:
    """Serve the project's web app until interrupted.

    ``https``: the app is reached over HTTPS only (cookies Secure, HSTS). ``trusted_proxies``:
    addresses of reverse proxies whose ``X-Forwarded-For``/``-Proto`` are believed (so the
    client address the sign-in throttle counts, and HTTPS, come from the proxy). Both also
    come from ``[web] https`` and ``[web] trusted_proxies``.
    """
    import os

    import uvicorn

    from cxpulse.web.app import create_app

    os.umask(0o077)  # stores, logs and exports the server creates are its owner's only
    web = load_config(project_dir).web_config()
    proxies = list(trusted_proxies or []) + web.trusted_proxies
    app = create_app(project_dir, https_only=https or web.https)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=",".join(proxies) if proxies else "127.0.0.1",
        server_header=False,
    )
