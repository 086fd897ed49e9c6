"""The benchmarks run end to end at tiny sizes and print their result line.

Timings are never asserted: they depend on the machine. Each benchmark
makes and drops its own scratch database, so these tests need none.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark: list[pytest.MarkDecorator] = []

BENCH = Path(__file__).resolve().parents[2] / "scripts" / "bench"
TINY = {
    "provisioning": ["--tenants", "3"],
    "migrate_noop": ["--tenants", "3", "--repeats", "2"],
    "routing": ["--requests", "50", "--rounds", "2", "--warmup", "5"],
    "permissions": ["--requests", "20", "--rounds", "2", "--warmup", "2"],
    "signin": ["--requests", "4", "--rounds", "2", "--warmup", "1"],
    "audit": ["--rows", "200", "--single", "20", "--bulk", "2"],
}


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment["DATABASE_URL"] = (
        os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/opsyn"
    )
    environment["OPSYN_DEBUG"] = "1"
    return environment


@pytest.mark.parametrize("name", sorted(TINY))
def test_benchmark_runs_and_prints_its_ratio(name: str) -> None:
    finished = subprocess.run(
        [
            sys.executable,
            str(BENCH / f"{name}.py"),
            *TINY[name],
            "--database",
            f"opsyn_bench_smoke_{name}",
        ],
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert finished.returncode == 0, finished.stderr
    ratio = re.compile(
        rf"^{name}: .*(\d+\.\d+x faster|[+-]\d+\.\d+% added latency)"
        r".*\(target .*(met|MISSED)"
    )
    assert any(ratio.search(line) for line in finished.stdout.splitlines()), (
        finished.stdout
    )
