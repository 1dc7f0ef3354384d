"""The ``cxpulse`` command line: ``cxpulse <noun> <verb>``."""

from cxpulse.cli.app import app, main

__all__ = ["app", "main"]
