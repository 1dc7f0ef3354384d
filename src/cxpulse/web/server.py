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


def serve(project_dir: str | Path = ".", *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the project's web app until interrupted."""
    import uvicorn

    from cxpulse.web.app import create_app

    app = create_app(project_dir)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
