"""Customer lifetime value backtests on UCI Online Retail, through the product's API.

    .venv/bin/python benchmarks/clv_backtest.py            # Markdown table; --json for all

For each split the BG/NBD + Gamma-Gamma models are fitted (NUTS, 2 x 500 draws) on the
purchases before the calibration end and predict the holdout; the actual purchase days and
net revenue come from the same orders. The baseline, timed in the same process, is a
maximum-likelihood BG/NBD fit with scipy on the same summary (no interval).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
from scipy import optimize, special

from cxpulse.datasets import online_retail_tables
from cxpulse.metrics import clv_backtest
from cxpulse.metrics.lifetime_model import SamplerSettings
from cxpulse.metrics.purchase_history import purchase_summary
from cxpulse.workspace import Workspace

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "online_retail"
SPLITS = [
    ("2011-04-01", "2011-08-31"),  # steady months: no Q4 in the holdout
    ("2011-03-01", "2011-08-31"),
    ("2011-06-01", None),  # the holdout takes in the Q4 peak
    ("2011-09-01", None),  # September to December: mostly the peak
]


def mle_seconds(ws: Workspace, cut: str) -> float:
    s = purchase_summary(ws, date.fromisoformat(cut))
    x, tx, t = (s[c].to_numpy(float) for c in ("frequency", "recency", "T"))

    def nll(lp: np.ndarray) -> float:
        r, alpha, a, b = np.exp(lp)
        a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
        a2 = special.betaln(a, b + x) - special.betaln(a, b)
        a3 = -(r + x) * np.log(alpha + t)
        safe = np.maximum(x, 1)
        a4 = np.where(
            x > 0, np.log(a) - np.log(b + safe - 1) - (r + x) * np.log(alpha + tx), -np.inf
        )
        return float(-(a1 + a2 + np.logaddexp(a3, a4)).sum())

    start = time.perf_counter()
    optimize.minimize(nll, np.log([1, 10, 1, 1]), method="Nelder-Mead")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--draws", type=int, default=500)
    args = parser.parse_args()
    tables = online_retail_tables(DATA / "online_retail.parquet")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.connect(f"duckdb:///{tmp}/retail.duckdb")
        for name, table in tables.items():
            ws.load(name, table)
        for cut, end in SPLITS:
            start = time.perf_counter()
            bt = clv_backtest(
                ws, cut, holdout_end=end, sampler=SamplerSettings(args.draws, args.draws)
            )
            seconds = time.perf_counter() - start
            rows.append({**bt.summary(), "seconds": seconds, "mle_seconds": mle_seconds(ws, cut)})
    if args.json:
        print(json.dumps(rows, indent=2, default=str))
        return
    print(
        "| calibration | holdout | customers | purchase days: predicted [95 % CI] | actual "
        "| error | MAE (baseline) | net revenue: predicted | actual | error "
        "| MAE (baseline) | new customers | R-hat | fit s (MLE s) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        p, v = r["purchases"], r["revenue"]
        print(
            f"| {r['calibration_start']} - {r['calibration_end']} "
            f"| {r['calibration_end']} - {r['holdout_end']} ({r['holdout_days']} d) "
            f"| {r['customers']:,} "
            f"| {p['predicted']:,.0f} [{p['predicted_low']:,.0f}, {p['predicted_high']:,.0f}] "
            f"| {p['actual']:,.0f} | {100 * p['error']:+.1f} % "
            f"| {p['mae']:.3f} ({p['baseline_mae']:.3f}) "
            f"| {v['predicted']:,.0f} | {v['actual']:,.0f} | {100 * v['error']:+.1f} % "
            f"| {v['mae']:,.0f} ({v['baseline_mae']:,.0f}) "
            f"| {r['new_customers']:,} | {r['r_hat']:.3f} "
            f"| {r['seconds']:.0f} ({r['mle_seconds']:.2f}) |"
        )


if __name__ == "__main__":
    main()
