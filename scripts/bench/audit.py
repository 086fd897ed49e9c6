"""Audit overhead: updates on an audited table versus its unaudited twin.

A tenant is provisioned in a scratch database, so its ``contacts_contact``
carries the audit triggers. A twin table made with ``CREATE TABLE ... (LIKE
contacts_contact INCLUDING ALL)`` has the same columns, defaults and indexes
but no triggers. Both hold the same rows. Updates alternate between the
two in rounds, through the same Django connection, in autocommit (each
statement its own transaction, as a view's single save is), with a work
context bound, as in a request.

- single: ``UPDATE ... SET name = ... WHERE id = ...`` on one row;
- bulk: one ``UPDATE`` of every row (``--rows``, 10,000 by default).

Each figure is a median; the ratio is audited / unaudited.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.bench import benchlib

SINGLE_TARGET = 1.3
BULK_TARGET = 3.0
AUDITED = "contacts_contact"
TWIN = "bench_contact_unaudited"


def main() -> int:
    parser = benchlib.parser("audit", __doc__ or "")
    parser.add_argument("--rows", type=int, default=10_000, help="rows per table")
    parser.add_argument("--single", type=int, default=2000, help="single updates each")
    parser.add_argument("--bulk", type=int, default=15, help="bulk updates each")
    args = parser.parse_args()

    with benchlib.scratch_database(args.database):
        single, bulk = _measure(rows=args.rows, singles=args.single, bulks=args.bulk)

    for label, (audited, plain), target in (
        ("single-row update", single, SINGLE_TARGET),
        (f"bulk update of {args.rows} rows", bulk, BULK_TARGET),
    ):
        ratio = benchlib.median(audited) / benchlib.median(plain)
        benchlib.result(
            f"audit: {label}, audited median {benchlib.ms(benchlib.median(audited))}, "
            f"unaudited median {benchlib.ms(benchlib.median(plain))}, "
            f"ratio {ratio:.2f}x, {(ratio - 1) * 100:+.1f}% added latency "
            f"(target <= {target:g}x, {benchlib.verdict(ratio <= target)}; "
            f"{len(audited)} runs each)"
        )
    return 0


def _measure(
    *, rows: int, singles: int, bulks: int
) -> tuple[tuple[list[float], list[float]], tuple[list[float], list[float]]]:
    from django.db import connection

    from opsyn import context
    from shared_apps.tenants import schemas, services
    from shared_apps.tenants.activation import use_tenant

    benchlib.progress("provisioning a tenant with audit triggers")
    schemas.fill_pool(1)
    tenant = services.provision_tenant(
        actor="bench", name="Bench", slug="bench", domain="bench.bench.test"
    )
    use_tenant(tenant)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TWIN} (LIKE {AUDITED} INCLUDING ALL)")
        for table in (AUDITED, TWIN):
            cursor.execute(
                f"INSERT INTO {table} (name, email, phone, organisation, notes, "
                "created_at, updated_at) SELECT 'Contact ' || g, "
                "'c' || g || '@example.com', '', 'Org', '', now(), now() "
                "FROM generate_series(1, %s) g",
                [rows],
            )
        cursor.execute(f"ANALYZE {AUDITED}")
        cursor.execute(f"ANALYZE {TWIN}")
        cursor.execute(f"SELECT min(id), max(id) FROM {AUDITED}")
        first, last = cursor.fetchone()
        cursor.execute(f"SELECT min(id) FROM {TWIN}")
        twin_first = cursor.fetchone()[0]

    def single(table: str, base: int, n: int) -> float:
        key = base + n % (last - first + 1)
        with connection.cursor() as cursor:
            return benchlib.timed(
                lambda: cursor.execute(
                    f"UPDATE {table} SET name = %s WHERE id = %s",
                    [f"Name {n}", key],
                )
            )

    def bulk(table: str, n: int) -> float:
        with connection.cursor() as cursor:
            return benchlib.timed(
                lambda: cursor.execute(
                    f"UPDATE {table} SET organisation = %s", [f"Org {n}"]
                )
            )

    single_runs: tuple[list[float], list[float]] = ([], [])
    bulk_runs: tuple[list[float], list[float]] = ([], [])
    with context.bound(actor="bench", request_id="bench", ip="127.0.0.1"):
        benchlib.progress(f"{singles} single-row updates on each table")
        for n in range(200):  # warm-up: plans, caches
            single(AUDITED, first, n)
            single(TWIN, twin_first, n)
        for n in range(singles):
            single_runs[0].append(single(AUDITED, first, n))
            single_runs[1].append(single(TWIN, twin_first, n))
        benchlib.progress(f"{bulks} bulk updates of {rows} rows on each table")
        bulk(AUDITED, -1)
        bulk(TWIN, -1)
        for n in range(bulks):
            bulk_runs[0].append(bulk(AUDITED, n))
            bulk_runs[1].append(bulk(TWIN, n))
    return single_runs, bulk_runs


if __name__ == "__main__":
    sys.exit(main())
