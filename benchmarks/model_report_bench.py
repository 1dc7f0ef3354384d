"""The model report page: the stored report against computing it in the request, on the demo.

Builds the demo company once (``cxpulse demo`` does the same steps; ``--size small`` is what
``make demo`` builds), then in one process:

- the first view of ``/health/report`` in a freshly created app (what a head of CX opening
  the page after a restart waits for), and three more views;
- the baseline: computing the report as the page used to on its first view
  (``model_report(ws).to_dict()``, the whole backtest);
- the fit: ``fit_model`` + ``save_model`` of the logistic model alone, against the same with
  the report computed and stored after it (as ``cxpulse health fit`` now does).

    .venv/bin/python benchmarks/model_report_bench.py --dir /tmp/demo-bench
    .venv/bin/python benchmarks/model_report_bench.py --dir /tmp/demo-bench --page-only

``--page-only`` times only the page views, so the same script measures an older checkout
(``PYTHONPATH=old/src``) whose page computed the report in the request.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from datetime import date
from pathlib import Path
from typing import Any

TODAY = date(2026, 11, 25)
ROOT = Path(__file__).resolve().parent


def build(folder: Path, size: str) -> float | None:
    """The demo in ``folder`` (skipped when already built); its build seconds."""
    from cxpulse.demo import build_demo

    if (folder / ".bench-built").exists():
        return None
    started = time.perf_counter()
    build_demo(folder, size=size, today=TODAY, progress=False)
    seconds = time.perf_counter() - started
    (folder / ".bench-built").write_text(f"{seconds:.1f}\n", encoding="utf-8")
    return seconds


def page_views(folder: Path, views: int = 4) -> list[float]:
    """Seconds of each GET /health/report in a new app, signed in as the demo analyst."""
    from fastapi.testclient import TestClient

    from cxpulse.demo import DEMO_PASSWORD
    from cxpulse.web import create_app

    client = TestClient(create_app(folder))
    login = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
    assert token, "no sign-in form"
    signed = client.post(
        "/login",
        data={
            "email": "analyst@example.com",
            "password": DEMO_PASSWORD,
            "next": "/",
            "csrf_token": token.group(1),
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    out = []
    for _ in range(views):
        started = time.perf_counter()
        page = client.get("/health/report?lang=es")
        out.append(time.perf_counter() - started)
        assert page.status_code == 200, page.text[:500]
        assert 'id="report-data"' in page.text, "the page shows no report"
    return out


def baseline_compute(folder: Path) -> float:
    """Seconds the page's first view used to take: the whole report computed in the request."""
    from cxpulse.health.report import model_report
    from cxpulse.workspace import Workspace

    with Workspace.open(folder) as ws:
        started = time.perf_counter()
        model_report(ws).to_dict()
        return time.perf_counter() - started


def fit_seconds(folder: Path, *, with_report: bool) -> float:
    """``cxpulse health fit -m logistic`` as the CLI runs it, with or without the report."""
    from cxpulse.health import active_model_name, fit_model, save_model
    from cxpulse.health.frame_reuse import reusing_frames
    from cxpulse.health.stored_report import refresh_reports
    from cxpulse.workspace import Workspace

    with Workspace.open(folder) as ws, reusing_frames():
        started = time.perf_counter()
        result = fit_model(ws, "logistic")
        save_model(
            folder,
            result.model,
            signals=result.signals,
            outcome=result.outcome,
            horizon_days=result.horizon_days,
            info=result.info(),
        )
        if with_report:
            refresh_reports(ws, [result.model.name, active_model_name(ws)])
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/cxpulse-report-bench"))
    parser.add_argument("--size", default="small")
    parser.add_argument("--page-only", action="store_true")
    args = parser.parse_args()
    folder = args.dir.resolve()
    load = os.getloadavg()
    doc: dict[str, Any] = {"size": args.size, "load_before": load}
    doc["build_seconds"] = build(folder, args.size)
    doc["page_views"] = page_views(folder)
    if not args.page_only:
        doc["baseline_compute"] = baseline_compute(folder)
        doc["fit_without_report"] = fit_seconds(folder, with_report=False)
        doc["fit_with_report"] = fit_seconds(folder, with_report=True)
        doc["first_view_ratio"] = doc["baseline_compute"] / doc["page_views"][0]
        doc["fit_ratio"] = doc["fit_with_report"] / doc["fit_without_report"]
    doc["load_after"] = os.getloadavg()
    print(json.dumps(doc, indent=1))
    results = ROOT / "results"
    results.mkdir(exist_ok=True)
    name = "model_report_page_only.json" if args.page_only else "model_report.json"
    (results / name).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
