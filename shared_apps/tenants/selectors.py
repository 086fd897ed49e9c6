"""Reads about tenants and their domains."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from opsyn.errors import NotFound

from . import caching
from .models import Domain, Tenant, TenantStatus

_ROUTE_FIELDS = ("id", "schema_name", "name", "slug", "status", "region")


def tenant_for_host(host: str) -> Tenant | None:
    """Return the tenant a canonical host routes to, from cache when possible.

    The returned object carries only the routing fields; it is not meant to
    be saved.
    """
    route = caching.cached_route(host)
    if route is False:
        domain = (
            Domain.objects.filter(domain=host)
            .select_related("tenant")
            .only(*(f"tenant__{field}" for field in _ROUTE_FIELDS))
            .first()
        )
        route = (
            {field: getattr(domain.tenant, field) for field in _ROUTE_FIELDS}
            if domain
            else None
        )
        caching.remember_route(host, route, settings.OPSYN_ROUTING_CACHE_SECONDS)
    if route is None:
        return None
    assert isinstance(route, dict)
    return Tenant(**route)


def runnable_tenant_for_schema(schema: str) -> Tenant | None:
    """Return the active tenant that owns a schema, or None."""
    return Tenant.objects.filter(schema_name=schema, status=TenantStatus.ACTIVE).first()


def tenant_by_slug(slug: str) -> Tenant:
    """Return the tenant with this slug, or raise ``NotFound``."""
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        raise NotFound(f"No tenant with slug {slug!r}.")
    return tenant


def tenants_listed() -> QuerySet[Tenant]:
    """Return every tenant with its domains, ordered by slug."""
    return Tenant.objects.prefetch_related("domains").order_by("slug")


def hosts_of(tenant: Tenant) -> list[str]:
    return list(tenant.domains.values_list("domain", flat=True))
