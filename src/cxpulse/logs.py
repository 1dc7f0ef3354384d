"""Structured logs: one JSON object per line on stderr (``CXPULSE_LOG_FORMAT=json``, the
default of ``cxpulse worker`` and of ``cxpulse serve --workers``), or plain text.

>>> configure_logging(fmt="text", level="WARNING")
"""

from __future__ import annotations

import logging
import os
import sys

_CONFIGURED = False


def configure_logging(fmt: str | None = None, level: str | None = None) -> None:
    """Send the ``cxpulse`` loggers to stderr as JSON lines (or text); idempotent."""
    global _CONFIGURED
    chosen = (fmt or os.environ.get("CXPULSE_LOG_FORMAT") or "json").lower()
    handler = logging.StreamHandler(sys.stderr)
    if chosen == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("cxpulse")
    for old in list(root.handlers) if _CONFIGURED else []:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel((level or os.environ.get("CXPULSE_LOG_LEVEL") or "INFO").upper())
    _CONFIGURED = True
