"""The web app: dashboards, accounts, training, login; JSON API under ``/api/v1``.

>>> from cxpulse.web import create_app
"""

from cxpulse.web.app import create_app

__all__ = ["create_app"]
