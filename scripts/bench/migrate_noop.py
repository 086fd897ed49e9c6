"""Migrating when nothing is pending: one lagging-schema query versus stock.

``migrating.migrate_tenants()`` asks PostgreSQL in one query which schemas
miss a tenant migration, and migrates only those. django-tenants' stock
``migrate_schemas --tenant`` runs Django's ``migrate`` in every tenant
schema, one after the other, even when each has nothing to apply. Both run
on the same database of already-migrated tenants; the pool is empty, so
both look at exactly the same schemas.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.bench import benchlib

TARGET = 10.0
BATCH = 50


def main() -> int:
    parser = benchlib.parser("migrate_noop", __doc__ or "")
    parser.add_argument("--tenants", type=int, default=500, help="tenants to create")
    parser.add_argument(
        "--repeats", type=int, default=5, help="timed runs of the one-query check"
    )
    args = parser.parse_args()

    with benchlib.scratch_database(args.database):
        _create_tenants(args.tenants)
        ours, stock = _measure(args.repeats)

    ratio = stock / ours
    benchlib.result(
        f"migrate_noop: lagging check {benchlib.ms(ours)}, "
        f"stock migrate_schemas {benchlib.ms(stock)}, "
        f"{ratio:.1f}x faster (target >= {TARGET:g}x, "
        f"{benchlib.verdict(ratio >= TARGET)}; {args.tenants} tenants)"
    )
    return 0


def _create_tenants(count: int) -> None:
    from shared_apps.tenants import schemas, services

    started = time.perf_counter()
    for first in range(0, count, BATCH):
        batch = range(first, min(first + BATCH, count))
        schemas.fill_pool(len(batch))
        for index in batch:
            services.provision_tenant(
                actor="bench",
                name=f"Tenant {index}",
                slug=f"t-{index}",
                domain=f"t-{index}.bench.test",
            )
        elapsed = time.perf_counter() - started
        benchlib.progress(
            f"migrate_noop: {batch.stop}/{count} tenants provisioned ({elapsed:.0f} s)"
        )


def _measure(repeats: int) -> tuple[float, float]:
    from django.core.management import call_command

    from shared_apps.tenants import migrating
    from shared_apps.tenants.activation import use_public

    # An untimed first call imports the migration modules, which the stock
    # command below would otherwise find already imported: warm against warm.
    if migrating.migrate_tenants():
        raise SystemExit("migrate_noop: tenants were lagging; nothing should be")

    benchlib.progress("migrate_noop: timing stock migrate_schemas --tenant")
    stock = benchlib.timed(
        lambda: call_command(
            "migrate_schemas", tenant=True, interactive=False, verbosity=0
        )
    )
    use_public()

    benchlib.progress(f"migrate_noop: timing migrate_tenants() x{repeats}")
    ours: list[float] = []
    for _ in range(max(1, repeats)):
        ours.append(benchlib.timed(migrating.migrate_tenants))
    return benchlib.median(ours), stock


if __name__ == "__main__":
    raise SystemExit(main())
