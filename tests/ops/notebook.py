"""A notebook-style session run as its own process by the concurrency tests.

It opens the workspace once and keeps it open, as a notebook does, while it writes batches of
new answers and reads counts and NPS between them. Prints one JSON line per round.

    python notebook.py PROJECT writer PREFIX ROUNDS ROWS ACCOUNTS_CSV
    python notebook.py PROJECT reader - SECONDS
"""

from __future__ import annotations

import json
import sys
import time

import pandas as pd

from cxpulse import Workspace


def answers(prefix: str, round_no: int, rows: int, accounts: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "response_id": [f"{prefix}-{round_no}-{j}" for j in range(rows)],
            "account_id": [accounts[j % len(accounts)] for j in range(rows)],
            "kind": "nps",
            "score": [(j * 7 + round_no) % 11 for j in range(rows)],
            "responded_at": pd.Timestamp("2026-11-20 10:00:00") + pd.to_timedelta(range(rows), "m"),
        }
    )


def main() -> None:
    project, role, prefix, amount = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    ws = Workspace.open(project)
    if role == "writer":
        rows = int(sys.argv[5])
        accounts = pd.read_csv(sys.argv[6], dtype=str)["account_id"].tolist()
        for k in range(int(amount)):
            report = ws.load("responses", answers(prefix, k, rows, accounts))
            seen = ws.count("responses")
            print(json.dumps({"round": k, "inserted": report.inserted, "seen": seen}), flush=True)
            time.sleep(0.2)
    else:
        until = time.monotonic() + float(amount)
        while time.monotonic() < until:
            n = ws.count("responses")
            nps = ws.metrics("nps").rows[0].n
            print(json.dumps({"count": n, "nps_n": nps}), flush=True)
            time.sleep(0.3)
    ws.close()


if __name__ == "__main__":
    main()
