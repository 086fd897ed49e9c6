"""Fixtures shared by the whole suite.

The suite runs against real PostgreSQL and Redis. Tenants that tests share
are provisioned once per session and committed, so pages, live servers and
Celery workers all see them; each test's own writes roll back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

PASSWORD = "correct horse battery staple 42"


@dataclass
class TenantFixture:
    slug: str
    host: str
    tenant: object
    member_email: str
    contact_names: list[str]


@pytest.fixture(autouse=True)
def _clean_caches() -> Iterator[None]:
    from django.core.cache import caches

    caches["platform"].clear()
    yield
    caches["platform"].clear()


def _provision(slug: str, contacts: list[str]) -> TenantFixture:
    from shared_apps.accounts.services import create_user
    from shared_apps.tenants import services
    from shared_apps.tenants.activation import tenant_scope
    from tenant_apps.contacts.services import create_contact
    from tenant_apps.members.models import Role
    from tenant_apps.members.services import add_member

    host = f"{slug}.localhost"
    tenant = services.provision_tenant(
        actor="test", name=slug.title(), slug=slug, domain=host
    )
    email = f"member@{slug}.example.com"
    user = create_user(actor="test", email=email, password=PASSWORD)
    with tenant_scope(tenant):
        add_member(actor="test", user=user, role=Role.ADMIN)
        for name in contacts:
            create_contact(actor_id=user.pk, name=name, email="")
    return TenantFixture(slug, host, tenant, email, contacts)


@pytest.fixture(scope="session")
def two_tenants(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> Iterator[tuple[TenantFixture, TenantFixture]]:
    """Tenants alpha and bravo, each with a member and its own contacts."""
    from shared_apps.tenants import services

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        alpha = _provision("alpha", ["Alpha Ada", "Alpha Alan"])
        bravo = _provision("bravo", ["Bravo Grace", "Bravo Katherine"])
    yield alpha, bravo
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        for fixture in (alpha, bravo):
            services.delete_tenant(actor="test", slug=fixture.slug)


@pytest.fixture
def unique_slug() -> str:
    return f"t{uuid.uuid4().hex[:10]}"
