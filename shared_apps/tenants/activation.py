"""Select which schema the database connection works in.

django-tenants adds these methods to its connection wrapper without types;
this module is the typed way the rest of the code switches schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol, cast

from django.db import DEFAULT_DB_ALIAS, connections

if TYPE_CHECKING:
    from .models import Tenant

PUBLIC_SCHEMA = "public"


class _TenantConnection(Protocol):
    schema_name: str
    tenant: Any

    def set_tenant(self, tenant: Any, include_public: bool = True) -> None: ...

    def set_schema_to_public(self) -> None: ...


def _connection() -> _TenantConnection:
    # The wrapper itself, not the ``connection`` proxy: routing reads it on
    # every request and each proxied attribute costs a thread-local lookup.
    return cast(_TenantConnection, connections[DEFAULT_DB_ALIAS])


def use_public() -> None:
    """Work in the public schema."""
    if current_schema() != PUBLIC_SCHEMA:
        _connection().set_schema_to_public()


def use_tenant(tenant: Tenant) -> None:
    """Work in a tenant's schema (with public behind it on the search path).

    Selecting the schema already in use keeps the search_path the connection
    has, saving a ``SET search_path`` round trip per request. django-tenants
    forgets that path on close and rollback, so it is re-sent whenever the
    server may have dropped it.
    """
    db = _connection()
    if db.schema_name == tenant.schema_name:
        db.tenant = tenant
        return
    db.set_tenant(tenant)


def current_schema() -> str:
    """Return the schema the connection works in."""
    return getattr(_connection(), "schema_name", None) or PUBLIC_SCHEMA


def current_tenant() -> Tenant | None:
    """Return the active tenant, or None in the public schema."""
    if current_schema() == PUBLIC_SCHEMA:
        return None
    return cast("Tenant | None", getattr(_connection(), "tenant", None))


@contextmanager
def tenant_scope(tenant: Tenant) -> Iterator[Tenant]:
    """Work in a tenant's schema for a block, then return to where it was."""
    previous = current_tenant()
    use_tenant(tenant)
    try:
        yield tenant
    finally:
        if previous is None:
            use_public()
        else:
            use_tenant(previous)
