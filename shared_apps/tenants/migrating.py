"""Migrate every tenant schema: find the lagging ones in one query, then
migrate those in parallel, reporting each.

A schema is lagging when its ``django_migrations`` table lacks any tenant
migration the code has. Nothing is recorded outside the schemas
themselves, so a rerun after a failure picks up exactly what is left.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed

from django.core.management import call_command
from django.db import connection, connections

from . import migration_worker, schemas
from .activation import use_public
from .migration_worker import SchemaResult
from .models import PreparedSchema, Tenant, TenantStatus

log = logging.getLogger(__name__)


def migrate_public(*, verbosity: int = 0) -> None:
    """Apply pending migrations of the shared apps to the public schema."""
    use_public()
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)


def managed_schemas() -> list[str]:
    """Return every schema the platform keeps migrated: tenants and the pool."""
    tenants = Tenant.objects.exclude(status=TenantStatus.DELETING).values_list(
        "schema_name", flat=True
    )
    pool = PreparedSchema.objects.values_list("schema_name", flat=True)
    return sorted({*tenants, *pool})


def lagging_schemas(candidates: Iterable[str]) -> list[str]:
    """Return the candidates that miss at least one tenant migration."""
    candidates = list(candidates)
    if not candidates:
        return []
    expected = schemas.expected_tenant_migrations()
    # Schema names are interpolated as quoted identifiers; every value is a
    # query parameter. The names come from the platform's own tables.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'django_migrations' AND table_schema = ANY(%s)",
            [candidates],
        )
        with_table = {row[0] for row in cursor.fetchall()}
        complete: set[str] = set()
        if with_table and expected:
            tables = [
                f"{connection.ops.quote_name(schema)}.django_migrations"
                for schema in sorted(with_table)
            ]
            union = " UNION ALL ".join(
                f"SELECT %s AS schema, app, name FROM {table}"  # noqa: S608
                for table in tables
            )
            values = ", ".join(["(%s, %s)"] * len(expected))
            cursor.execute(
                f"WITH expected(app, name) AS (VALUES {values}) "  # noqa: S608
                f"SELECT applied.schema FROM ({union}) AS applied "
                "JOIN expected USING (app, name) "
                "GROUP BY applied.schema HAVING count(*) = %s",
                [
                    *(part for key in expected for part in key),
                    *sorted(with_table),
                    len(expected),
                ],
            )
            complete = {row[0] for row in cursor.fetchall()}
        elif with_table:
            complete = with_table
    return [schema for schema in candidates if schema not in complete]


def migrate_tenants(
    *,
    jobs: int | None = None,
    report: Callable[[SchemaResult], None] | None = None,
) -> list[SchemaResult]:
    """Migrate every lagging schema, ``jobs`` at a time; return each result."""
    lagging = lagging_schemas(managed_schemas())
    if not lagging:
        return []
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(lagging)))
    results: list[SchemaResult] = []

    if jobs == 1:
        for schema in lagging:
            result = migration_worker.migrate(schema)
            results.append(result)
            if report:
                report(result)
    else:
        database = connection.settings_dict["NAME"]
        connections.close_all()
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=spawn,
            initializer=migration_worker.start,
            initargs=(database,),
        ) as pool:
            futures = [pool.submit(migration_worker.migrate, s) for s in lagging]
            for future in as_completed(futures):
                result = future.result()
                results.append(result)
                if report:
                    report(result)

    current = [r.schema for r in results if r.ok]
    PreparedSchema.objects.filter(schema_name__in=current).update(
        fingerprint=schemas.migration_fingerprint()
    )
    return sorted(results, key=lambda r: r.schema)
