"""``/api/docs``: Swagger UI from files vendored into the package (no CDN, no inline script).

The page loads ``static/vendor/swagger-ui-bundle-*.min.js`` and starts it from
``static/js/api-docs.js``, so it works offline and under the app's Content-Security-Policy.
``[web] api_docs = false`` turns it off.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

SWAGGER_VERSION = "5.35.0"
router = APIRouter(include_in_schema=False)

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cxpulse API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui-{SWAGGER_VERSION}.css">
</head>
<body>
<div id="swagger-ui" data-spec="/openapi.json"></div>
<script src="/static/vendor/swagger-ui-bundle-{SWAGGER_VERSION}.min.js" defer></script>
<script src="/static/js/api-docs.js" defer></script>
</body>
</html>
"""


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs() -> HTMLResponse:
    return HTMLResponse(PAGE)
