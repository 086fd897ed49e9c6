"""Run every benchmark at a small size, for a quick check; print the results.

Sizes here are for a check that the benchmarks run and roughly where the
ratios stand; the figures worth quoting come from each benchmark's own
defaults (see README.md). Exits 1 if any benchmark fails to run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK = {
    "provisioning": ["--tenants", "5"],
    "migrate_noop": ["--tenants", "20"],
    "routing": ["--requests", "400", "--warmup", "50"],
    "permissions": ["--requests", "200", "--warmup", "20"],
    "signin": ["--requests", "100", "--warmup", "5"],
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench/run_all.py")
    parser.description = __doc__
    parser.parse_args()

    lines: list[str] = []
    failed: list[str] = []
    for name, options in QUICK.items():
        command = [sys.executable, str(HERE / f"{name}.py"), *options]
        print(f"$ {' '.join(command)}", file=sys.stderr, flush=True)
        finished = subprocess.run(command, stdout=subprocess.PIPE, text=True)
        lines += finished.stdout.splitlines()
        if finished.returncode != 0:
            failed.append(f"{name} exited {finished.returncode}")

    print("\n".join(lines))
    for failure in failed:
        print(f"run_all: {failure}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
