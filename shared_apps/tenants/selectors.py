"""Reads about tenants and their domains."""

from __future__ import annotations

import time

from django.conf import settings
from django.db.models import QuerySet

from opsyn.errors import NotFound

from . import caching
from .activation import use_public
from .models import Domain, Tenant, TenantStatus

_ROUTE_FIELDS = ("id", "schema_name", "name", "slug", "status", "region")


def tenant_for_host(host: str) -> Tenant | None:
    """Return the tenant a canonical host routes to, from cache when possible.

    The returned object carries only the routing fields and is shared by the
    requests of this process for a few seconds: it is never saved or changed.
    """
    recent = caching.local_route(host)
    if recent is not caching.MISSING:
        return recent if isinstance(recent, Tenant) else None
    route = caching.cached_route(host)
    if route is False:
        use_public()
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
    tenant = Tenant(**route) if isinstance(route, dict) else None
    caching.keep_locally(host, tenant)
    return tenant


def runnable_tenant_for_schema(schema: str) -> Tenant | None:
    """Return the active tenant that owns a schema, or None.

    Workers ask this for every task; the answer is kept per process for as
    long as a route is (``caching.LOCAL_ROUTE_SECONDS``), so a suspension
    reaches tasks as quickly as it reaches pages.
    """
    now = time.monotonic()
    known = _runnable.get(schema)
    if known is not None and known[0] > now:
        return known[1]
    tenant = Tenant.objects.filter(
        schema_name=schema, status=TenantStatus.ACTIVE
    ).first()
    if len(_runnable) >= 10_000:
        _runnable.clear()
    _runnable[schema] = (now + caching.LOCAL_ROUTE_SECONDS, tenant)
    return tenant


_runnable: dict[str, tuple[float, Tenant | None]] = {}


def forget_runnable_tenants() -> None:
    """Drop this process's memo of runnable tenants."""
    _runnable.clear()


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
