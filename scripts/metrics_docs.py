"""Write docs/metrics.md from the metric definitions (cxpulse.metrics.reference).

Run ``python scripts/metrics_docs.py`` after changing a definition; tests/api/test_metrics_docs.py
fails when the file is out of date or a definition is undocumented.
"""

from __future__ import annotations

from pathlib import Path

from cxpulse.metrics.reference import render_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"


def render() -> str:
    return render_markdown("en")


if __name__ == "__main__":
    DOCS.write_text(render(), encoding="utf-8")
    print(f"wrote {DOCS}")
