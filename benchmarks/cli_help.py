"""How fast the command line answers ``--help``, against ``python -c "import typer"``.

Every command's ``--help`` runs as a fresh process (the way a user types it), ``--repeat``
times; the baseline is the same interpreter importing Typer and nothing else, run in between
by this same script so that both see the same machine load. Reports the median wall time, the
peak resident memory (from ``os.wait4``) and the ratio to the baseline. Target: every
``--help`` under 0.5 s wall.

    .venv/bin/python benchmarks/cli_help.py               # every command, 5 runs each
    .venv/bin/python benchmarks/cli_help.py --repeat 3 --json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

TARGET_S = 0.5


def run_once(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed")
    return wall, usage.ru_maxrss / 1024


def command_paths() -> list[list[str]]:
    """Every command and group of the CLI, as argument lists (the root is [])."""
    import typer.main

    from cxpulse.cli.app import app

    def walk(command: Any, path: list[str]) -> list[list[str]]:
        found = [path]
        for name in sorted(getattr(command, "commands", {})):
            found += walk(command.commands[name], [*path, name])
        return found

    return walk(typer.main.get_command(app), [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cli = [sys.executable, "-c", "import sys; from cxpulse.cli import main; sys.exit(main())"]
    baseline_argv = [sys.executable, "-c", "import typer"]
    rows: list[dict[str, Any]] = []
    base_walls: list[float] = []
    base_rss: list[float] = []
    for path in command_paths():
        walls, rss = [], []
        for _ in range(args.repeat):
            wall, mem = run_once(baseline_argv)
            base_walls.append(wall)
            base_rss.append(mem)
            wall, mem = run_once([*cli, *path, "--help"])
            walls.append(wall)
            rss.append(mem)
        rows.append(
            {
                "command": " ".join(["cxpulse", *path, "--help"]),
                "wall_s": statistics.median(walls),
                "max_wall_s": max(walls),
                "rss_mb": statistics.median(rss),
            }
        )
    base = statistics.median(base_walls)
    for row in rows:
        row["ratio"] = row["wall_s"] / base
    summary = {
        "baseline": 'python -c "import typer"',
        "baseline_wall_s": base,
        "baseline_rss_mb": statistics.median(base_rss),
        "commands": len(rows),
        "repeat": args.repeat,
        "slowest_wall_s": max(r["max_wall_s"] for r in rows),
        "all_under_target": all(r["max_wall_s"] < TARGET_S for r in rows),
        "rows": rows,
    }
    if args.json:
        print(json.dumps(summary, indent=1))
        return
    print(
        f'baseline `python -c "import typer"`: {base:.3f} s, '
        f"{summary['baseline_rss_mb']:.0f} MB (median of {len(base_walls)})\n"
    )
    print("| command | median wall (s) | max wall (s) | peak RSS (MB) | × baseline |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(
            f"| `{r['command']}` | {r['wall_s']:.3f} | {r['max_wall_s']:.3f} | "
            f"{r['rss_mb']:.0f} | {r['ratio']:.1f} |"
        )
    verdict = "yes" if summary["all_under_target"] else "NO"
    print(
        f"\n{len(rows)} commands, {args.repeat} runs each; slowest run "
        f"{summary['slowest_wall_s']:.3f} s; all under {TARGET_S} s: {verdict}"
    )


if __name__ == "__main__":
    main()
