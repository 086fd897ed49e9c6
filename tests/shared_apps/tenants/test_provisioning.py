"""Provisioning, deletion and the prepared-schema pool, on real PostgreSQL."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection

from opsyn.errors import Conflict, InvalidInput
from shared_apps.tenants import schemas, services
from shared_apps.tenants.activation import tenant_scope
from shared_apps.tenants.models import Domain, PreparedSchema, Tenant, TenantStatus
from tenant_apps.contacts.models import Contact

pytestmark = pytest.mark.django_db


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def _schema_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace")
        return int(cursor.fetchone()[0])


def test_provisioning_creates_schema_domain_and_usable_tenant(unique_slug: str) -> None:
    tenant = services.provision_tenant(
        actor="test",
        name="Delta",
        slug=unique_slug,
        domain=f"{unique_slug}.example.test",
    )

    assert tenant.status == TenantStatus.ACTIVE
    assert tenant.region == "uksouth"
    assert _schema_exists(unique_slug)
    assert Domain.objects.get(tenant=tenant).domain == f"{unique_slug}.example.test"
    with tenant_scope(tenant):
        first = Contact.objects.create(name="First")
        second = Contact.objects.create(name="Second")
    # Sequences start afresh in the new schema and continue without collision.
    assert (first.pk, second.pk) == (1, 2)


def test_provisioning_uses_a_prepared_schema_when_one_waits(unique_slug: str) -> None:
    schemas.fill_pool(1)
    waiting = PreparedSchema.objects.get().schema_name

    services.provision_tenant(
        actor="test",
        name="Pool",
        slug=unique_slug,
        domain=f"{unique_slug}.example.test",
    )

    assert not PreparedSchema.objects.filter(schema_name=waiting).exists()
    assert not _schema_exists(waiting)
    assert _schema_exists(unique_slug)


def test_stale_prepared_schema_is_never_handed_out(unique_slug: str) -> None:
    PreparedSchema.objects.all().delete()
    stale = schemas.prepare_schema()
    PreparedSchema.objects.filter(schema_name=stale).update(fingerprint="old")

    services.provision_tenant(
        actor="test",
        name="Fresh",
        slug=unique_slug,
        domain=f"{unique_slug}.example.test",
    )

    assert _schema_exists(stale), "the stale schema was renamed into a tenant"


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Upper", "not valid"),
        ("under_score", "not valid"),
        ("1starts-with-digit", "not valid"),
        ("ends-with-", "not valid"),
        ("", "not valid"),
        ("public", "reserved"),
        ("information-schema", "reserved"),
        ("pg-catalog", "may not start with 'pg_'"),
        ("a" * 51, "longer than 50 characters"),
        ("a" * 64, "longer than 50 characters"),
        ("drop;table", "not valid"),
    ],
)
def test_bad_slugs_are_refused_before_any_ddl(slug: str, message: str) -> None:
    before = _schema_count()
    with (
        mock.patch.object(schemas, "prepare_schema") as prepare,
        pytest.raises(InvalidInput, match=message),
    ):
        services.provision_tenant(
            actor="test", name="Bad", slug=slug, domain="bad.example.test"
        )
    prepare.assert_not_called()
    assert _schema_count() == before
    assert not Tenant.objects.filter(name="Bad").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Name is required"),
        ("region", "eastus", "not offered"),
        ("domain", "not a host", "not a valid host name"),
        ("domain", "localhost", "platform's own host"),
        ("domain", "127.0.0.1", "is an IP address"),
        ("domain", "10.0.0.1:8000", "is an IP address"),
        ("domain", "intranet", "single-label name"),
    ],
)
def test_bad_inputs_are_refused_with_the_reason(
    unique_slug: str, field: str, value: str, message: str
) -> None:
    values = {"name": "Ok", "slug": unique_slug, "domain": "ok.example.test"}
    values[field] = value
    with pytest.raises(InvalidInput, match=message):
        services.provision_tenant(actor="test", **values)
    assert not _schema_exists(unique_slug)


def test_duplicate_slug_and_domain_conflict(unique_slug: str) -> None:
    services.provision_tenant(
        actor="test", name="One", slug=unique_slug, domain=f"{unique_slug}.example.test"
    )
    with pytest.raises(Conflict, match="already exists"):
        services.provision_tenant(
            actor="test", name="Two", slug=unique_slug, domain="other.example.test"
        )
    with pytest.raises(Conflict, match="already in use"):
        services.provision_tenant(
            actor="test",
            name="Three",
            slug=f"{unique_slug}x",
            domain=f"{unique_slug.upper()}.example.test.",
        )
    # Both taken (a restore repeated, say): the slug is what to change first.
    with pytest.raises(Conflict, match=r"slug .* already exists"):
        services.provision_tenant(
            actor="test",
            name="Four",
            slug=unique_slug,
            domain=f"{unique_slug}.example.test",
        )


def test_failure_midway_leaves_no_tenant_schema_or_domain(unique_slug: str) -> None:
    schemas.fill_pool(1)
    pool_before = set(PreparedSchema.objects.values_list("schema_name", flat=True))

    with (
        mock.patch.object(
            Domain.objects, "create", side_effect=RuntimeError("disk full")
        ),
        pytest.raises(RuntimeError, match="disk full"),
    ):
        services.provision_tenant(
            actor="test",
            name="Broken",
            slug=unique_slug,
            domain=f"{unique_slug}.example.test",
        )

    assert not Tenant.objects.filter(slug=unique_slug).exists()
    assert not Domain.objects.filter(domain=f"{unique_slug}.example.test").exists()
    assert not _schema_exists(unique_slug)
    # The prepared schema went back to the pool, intact.
    assert set(PreparedSchema.objects.values_list("schema_name", flat=True)) == (
        pool_before
    )
    assert all(_schema_exists(name) for name in pool_before)


def test_deletion_drops_the_schema_and_rows(unique_slug: str) -> None:
    tenant = services.provision_tenant(
        actor="test",
        name="Gone",
        slug=unique_slug,
        domain=f"{unique_slug}.example.test",
    )

    services.delete_tenant(actor="test", slug=unique_slug)

    assert not _schema_exists(tenant.schema_name)
    assert not Tenant.objects.filter(slug=unique_slug).exists()
    assert not Domain.objects.filter(tenant_id=tenant.pk).exists()


def test_deletion_marks_deleting_before_dropping(unique_slug: str) -> None:
    services.provision_tenant(
        actor="test",
        name="Half",
        slug=unique_slug,
        domain=f"{unique_slug}.example.test",
    )
    seen: list[str] = []

    def drop(schema: str) -> None:
        seen.append(Tenant.objects.get(slug=unique_slug).status)
        raise RuntimeError("connection lost")

    with (
        mock.patch.object(schemas, "drop_schema", side_effect=drop),
        pytest.raises(RuntimeError),
    ):
        services.delete_tenant(actor="test", slug=unique_slug)

    assert seen == [TenantStatus.DELETING]
    assert Tenant.objects.get(slug=unique_slug).status == TenantStatus.DELETING
    assert _schema_exists(unique_slug)


def test_suspend_and_resume(unique_slug: str) -> None:
    services.provision_tenant(
        actor="test", name="Nap", slug=unique_slug, domain=f"{unique_slug}.example.test"
    )
    assert services.suspend_tenant(actor="t", slug=unique_slug).status == "suspended"
    assert services.resume_tenant(actor="t", slug=unique_slug).status == "active"


def test_domains_add_remove_and_set_primary(unique_slug: str) -> None:
    services.provision_tenant(
        actor="test", name="Dom", slug=unique_slug, domain=f"{unique_slug}.example.test"
    )
    services.add_domain(actor="t", slug=unique_slug, domain="WWW.Dom.Example.Test.")
    with pytest.raises(Conflict, match="primary domain"):
        services.remove_domain(actor="t", domain=f"{unique_slug}.example.test")

    services.set_primary_domain(actor="t", domain="www.dom.example.test")
    services.remove_domain(actor="t", domain=f"{unique_slug}.example.test")

    assert list(
        Domain.objects.filter(tenant__slug=unique_slug).values_list(
            "domain", "is_primary"
        )
    ) == [("www.dom.example.test", True)]


def test_renaming_shows_the_new_name_at_once(unique_slug: str) -> None:
    from django.test import Client

    host = f"{unique_slug}.example.test"
    services.provision_tenant(actor="t", name="Old Name", slug=unique_slug, domain=host)
    client = Client(HTTP_HOST=host)
    assert "Sign in to Old Name" in client.get("/sign-in/").content.decode()

    services.rename_tenant(actor="t", slug=unique_slug, name="New Name")

    assert "Sign in to New Name" in client.get("/sign-in/").content.decode()
