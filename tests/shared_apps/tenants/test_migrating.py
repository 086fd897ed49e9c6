"""Migrating all tenants: lagging schemas found in one query, failures named."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opsyn.cli import main
from shared_apps.tenants import migrating, schemas, services

pytestmark = pytest.mark.django_db


def _forget_last_migration(schema: str) -> tuple[str, str]:
    app, name = schemas.expected_tenant_migrations()[-1]
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s',
            [app, name],
        )
    return app, name


def test_up_to_date_schemas_are_found_in_a_fixed_number_of_queries(
    unique_slug: str,
) -> None:
    for n in range(3):
        services.provision_tenant(
            actor="t", name="M", slug=f"{unique_slug}-{n}", domain=f"m{n}.example.test"
        )
    candidates = migrating.managed_schemas()

    with CaptureQueriesContext(connection) as queries:
        lagging = migrating.lagging_schemas(candidates)

    assert lagging == []
    assert len(queries) <= 2


def test_a_schema_missing_a_migration_is_lagging(unique_slug: str) -> None:
    tenant = services.provision_tenant(
        actor="t", name="L", slug=unique_slug, domain=f"{unique_slug}.example.test"
    )
    _forget_last_migration(tenant.schema_name)

    assert migrating.lagging_schemas(migrating.managed_schemas()) == [
        tenant.schema_name
    ]


def test_failures_are_reported_per_tenant_and_a_rerun_continues(
    capsys, unique_slug: str
) -> None:
    good = services.provision_tenant(
        actor="t", name="G", slug=f"{unique_slug}-good", domain="good.example.test"
    )
    bad = services.provision_tenant(
        actor="t", name="B", slug=f"{unique_slug}-bad", domain="bad.example.test"
    )
    for tenant in (good, bad):
        _forget_last_migration(tenant.schema_name)

    def flaky(schema: str, **kwargs) -> None:
        if schema == bad.schema_name:
            raise RuntimeError("lock timeout")
        _record(schema)

    with mock.patch.object(schemas, "migrate_schema", side_effect=flaky):
        code = main(["migrate", "--jobs", "1"])
    out, err = capsys.readouterr()

    assert code == 1
    assert f"{good.schema_name}: migrated" in out
    assert f"{bad.schema_name}: FAILED: RuntimeError: lock timeout" in out
    assert err.strip() == f"opsyn: migration failed for: {bad.schema_name}"

    with mock.patch.object(schemas, "migrate_schema", side_effect=_record):
        code = main(["migrate", "--jobs", "1"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert good.schema_name not in out, "an up-to-date tenant was migrated again"
    assert f"{bad.schema_name}: migrated" in out


def _record(schema: str, **kwargs: object) -> None:
    """Stand in for a migration run: record the one missing migration."""
    app, name = schemas.expected_tenant_migrations()[-1]
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{schema}".django_migrations (app, name, applied) '
            "VALUES (%s, %s, now())",
            [app, name],
        )
