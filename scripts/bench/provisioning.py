"""Provisioning: a tenant from the prepared pool versus one migrated on demand.

The pool is filled before timing starts; each ``provision_tenant`` call is
then timed. The baseline is what provisioning costs without a pool (and
what django-tenants' ``auto_create_schema=True`` does): the same checks,
``CREATE SCHEMA``, every tenant migration, then the tenant and domain rows.
The two are interleaved, one tenant of each per step, so drift in the
machine's speed falls on both alike.
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.bench import benchlib

TARGET = 5.0


def main() -> int:
    parser = benchlib.parser("provisioning", __doc__ or "")
    parser.add_argument("--tenants", type=int, default=20, help="tenants per method")
    args = parser.parse_args()

    with benchlib.scratch_database(args.database):
        pool, migrate = _measure(args.tenants)

    ratio = benchlib.median(migrate) / benchlib.median(pool)
    benchlib.result(
        f"provisioning: pool median {benchlib.ms(benchlib.median(pool))}, "
        f"migrate median {benchlib.ms(benchlib.median(migrate))}, "
        f"{ratio:.1f}x faster (target >= {TARGET:g}x, "
        f"{benchlib.verdict(ratio >= TARGET)}; {args.tenants} tenants each)"
    )
    return 0


def _measure(count: int) -> tuple[list[float], list[float]]:
    from django.db import connection

    from shared_apps.tenants import schemas

    benchlib.progress(f"provisioning: preparing {count} pool schemas (untimed)")
    schemas.fill_pool(count)

    pool: list[float] = []
    migrate: list[float] = []
    for index in range(count):
        # Both start from an open connection: running migrations closes it.
        connection.ensure_connection()
        pool.append(benchlib.timed(partial(_provision_from_pool, index)))
        connection.ensure_connection()
        migrate.append(benchlib.timed(partial(_provision_by_migrating, index)))
    benchlib.progress(f"provisioning: {count} tenants provisioned each way")
    return pool, migrate


def _provision_from_pool(index: int) -> None:
    from shared_apps.tenants import services

    services.provision_tenant(
        actor="bench",
        name=f"Pool {index}",
        slug=f"pool-{index}",
        domain=f"pool-{index}.bench.test",
    )


def _provision_by_migrating(index: int) -> None:
    from django.db import connection, transaction

    from shared_apps.tenants import schemas, services
    from shared_apps.tenants.activation import use_public
    from shared_apps.tenants.models import Domain, Tenant, TenantStatus

    request = services.check_new_tenant(
        name=f"Migrated {index}",
        slug=f"migrated-{index}",
        domain=f"migrated-{index}.bench.test",
    )
    use_public()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{request.schema}"')
    schemas.migrate_schema(request.schema)
    with transaction.atomic():
        tenant = Tenant.objects.create(
            name=request.name,
            slug=request.slug,
            schema_name=request.schema,
            region=request.region,
            status=TenantStatus.ACTIVE,
        )
        Domain.objects.create(tenant=tenant, domain=request.host, is_primary=True)


if __name__ == "__main__":
    raise SystemExit(main())
