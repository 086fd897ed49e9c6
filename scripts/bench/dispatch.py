"""Dispatch: a no-op per-tenant job for every tenant, tenant-aware vs plain.

Makes ``--tenants`` active tenants (rows and empty schemas: a no-op job
reads no tenant table), starts a Celery worker on the scratch database,
and times sending one task per tenant and running them all, first as
tenant-aware tasks (``opsyn.celery.tenant_task``: the schema travels in a
header, the worker finds the active tenant and selects its schema), then
as plain Celery tasks doing the same nothing. Rounds alternate the two.
Throughput ratio tenant-aware / plain; target at least 0.9x. The worker
keeps its database connection between tasks (``CONN_MAX_AGE``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.bench import benchlib

TARGET = 0.9

# A queue of its own: a worker already on the broker (a running stack, a test
# suite's) must neither take these tasks nor lose its own to a purge.
QUEUE = f"bench-dispatch-{uuid.uuid4().hex[:12]}"


def main() -> int:
    parser = benchlib.parser("dispatch", __doc__ or "")
    parser.add_argument("--tenants", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each kind")
    parser.add_argument("--concurrency", type=int, default=4, help="worker processes")
    args = parser.parse_args()

    with benchlib.scratch_database(args.database):
        tenant_aware, plain = _measure(args.tenants, args.rounds, args.concurrency)

    sent = args.tenants * args.rounds
    aware_rate = sent / tenant_aware
    plain_rate = sent / plain
    ratio = aware_rate / plain_rate
    benchlib.result(
        f"dispatch: tenant-aware {aware_rate:.0f} tasks/s, plain {plain_rate:.0f} "
        f"tasks/s, {ratio:.2f}x throughput (target >= {TARGET:g}x, "
        f"{benchlib.verdict(ratio >= TARGET)}; {args.tenants} tenants, "
        f"{args.rounds} rounds each, {args.concurrency} worker processes)"
    )
    return 0


def _measure(count: int, rounds: int, concurrency: int) -> tuple[float, float]:
    from django.db import connection

    from shared_apps.tenants.models import Tenant, TenantStatus

    benchlib.progress(f"dispatch: making {count} tenants")
    with connection.cursor() as cursor:
        for index in range(count):
            cursor.execute(f'CREATE SCHEMA "d{index}"')
    Tenant.objects.bulk_create(
        Tenant(
            name=f"D{index}",
            slug=f"d{index}",
            schema_name=f"d{index}",
            status=TenantStatus.ACTIVE,
        )
        for index in range(count)
    )
    schemas = [f"d{index}" for index in range(count)]
    worker = _start_worker(concurrency)
    try:
        _run("tenant", schemas[: min(50, count)])  # warm-up, untimed
        _run("plain", schemas[: min(50, count)])
        aware = plain = 0.0
        for number in range(rounds):
            order = ("plain", "tenant") if number % 2 else ("tenant", "plain")
            for kind in order:
                elapsed = _run(kind, schemas)
                benchlib.progress(
                    f"dispatch: {kind} round {number + 1}: {elapsed:.2f} s"
                )
                if kind == "tenant":
                    aware += elapsed
                else:
                    plain += elapsed
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return aware, plain


def _start_worker(concurrency: int) -> subprocess.Popen[bytes]:
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root), OPSYN_LOG_LEVEL="WARNING")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "scripts.bench.dispatch_tasks",
            "worker",
            f"--concurrency={concurrency}",
            f"--queues={QUEUE}",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=root,
        env=env,
    )
    _run("plain", ["-"], timeout=60)  # returns once the worker answers
    return worker


def _run(kind: str, schemas: list[str], timeout: float = 600) -> float:
    from opsyn.celery import TENANT_HEADER
    from scripts.bench.dispatch_tasks import _redis, noop_plain, noop_tenant

    key = f"bench:dispatch:{uuid.uuid4().hex}"
    start = time.perf_counter()
    for schema in schemas:
        if kind == "tenant":
            noop_tenant.apply_async(
                args=(key,), headers={TENANT_HEADER: schema}, queue=QUEUE
            )
        else:
            noop_plain.apply_async(args=(key,), queue=QUEUE)
    deadline = time.monotonic() + timeout
    while int(_redis().get(key) or 0) < len(schemas):
        if time.monotonic() > deadline:
            raise SystemExit(f"dispatch: {kind} tasks did not all run in {timeout} s")
        time.sleep(0.005)
    elapsed = time.perf_counter() - start
    _redis().delete(key)
    return elapsed


if __name__ == "__main__":
    sys.exit(main())
