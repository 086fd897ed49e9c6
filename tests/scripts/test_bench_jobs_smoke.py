"""The job benchmarks run end to end at tiny sizes and print their ratio.

Timings are never asserted: they depend on the machine. Each benchmark
makes and drops its own scratch database.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "scripts" / "bench"
TINY = {
    "backup": ["--tenants", "3", "--rows", "100", "--repeats", "1"],
    "retention": ["--rows", "3000", "--idle-requests", "10"],
    "dispatch": ["--tenants", "5", "--rounds", "1", "--concurrency", "1"],
}
RESULT = {
    "backup": r"^backup: exporter median .* \d+\.\d+x \(target <= 1\.5x, (met|MISSED)",
    "retention": r"^retention: \d+ rows in .* longest transaction [\d.]+ ms "
    r"\(target <= 50 ms, (met|MISSED)\); page median .*\(\d+\.\d+x",
    "dispatch": r"^dispatch: tenant-aware \d+ tasks/s, plain \d+ tasks/s, "
    r"\d+\.\d+x throughput \(target >= 0\.9x, (met|MISSED)",
}


@pytest.mark.parametrize("name", sorted(TINY))
def test_job_benchmark_runs_and_prints_its_ratio(name: str) -> None:
    environment = dict(os.environ)
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.setdefault("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/opsyn")
    environment["OPSYN_DEBUG"] = "1"

    finished = subprocess.run(
        [
            sys.executable,
            str(BENCH / f"{name}.py"),
            *TINY[name],
            "--database",
            # Unique per run: concurrent suites must not drop each other's.
            f"opsyn_bench_smoke_{name}_{uuid.uuid4().hex[:8]}",
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
    )

    assert finished.returncode == 0, finished.stderr[-3000:]
    pattern = re.compile(RESULT[name])
    assert any(pattern.search(line) for line in finished.stdout.splitlines()), (
        finished.stdout
    )
