"""Parallel migration in worker processes, on committed tenants."""

from __future__ import annotations

import pytest
from django.db import connection

from shared_apps.tenants import migrating, services


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Committed tenants for tests whose worker processes must see them."""
    made: list[str] = []
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_")
        yield made
        for slug in made:
            services.delete_tenant(actor="test", slug=slug)


def test_parallel_migration_really_migrates_lagging_schemas(
    committed, unique_slug: str
) -> None:
    tenants = []
    for n in range(3):
        slug = f"{unique_slug}-{n}"
        tenants.append(
            services.provision_tenant(
                actor="t", name="P", slug=slug, domain=f"p{n}.{unique_slug}.test"
            )
        )
        committed.append(slug)
    lagging = [t.schema_name for t in tenants[:2]]
    for schema in lagging:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE "{schema}".contacts_contact')
            cursor.execute(
                f'DELETE FROM "{schema}".django_migrations WHERE app = %s',
                ["contacts"],
            )

    results = migrating.migrate_tenants(jobs=2)

    assert [(r.schema, r.ok) for r in results] == [(s, True) for s in sorted(lagging)]
    for schema in lagging:
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{schema}".contacts_contact')
            assert cursor.fetchone()[0] == 0
    assert migrating.lagging_schemas(migrating.managed_schemas()) == []
