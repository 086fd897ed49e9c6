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

    Workers ask this for every task. Each process keeps a snapshot of all
    active tenants, read in one query and renewed after
    ``caching.LOCAL_ROUTE_SECONDS`` (the lifetime of a route memo), so a
    suspension reaches tasks as quickly as it reaches pages and a worker
    fanning out over thousands of tenants asks the database once per
    interval rather than once per task. A schema missing from the snapshot
    (a tenant made since, or more than ``SNAPSHOT_LIMIT`` active tenants,
    where a snapshot would cost more than it saves) is looked up on its own
    and remembered for the same interval.
    """
    now = time.monotonic()
    if _snapshot.expires <= now:
        _snapshot.take(now + caching.LOCAL_ROUTE_SECONDS)
    tenant = _snapshot.tenants.get(schema)
    if tenant is not None:
        return tenant
    refused_until = _snapshot.refused.get(schema)
    if refused_until is not None and refused_until > now:
        return None
    # Not in the snapshot: made since it was read, or past the limit.
    tenant = Tenant.objects.filter(
        schema_name=schema, status=TenantStatus.ACTIVE
    ).first()
    if tenant is not None:
        _snapshot.tenants[schema] = tenant
    else:
        _snapshot.refused[schema] = now + caching.LOCAL_ROUTE_SECONDS
    if len(_snapshot.tenants) + len(_snapshot.refused) > 2 * SNAPSHOT_LIMIT:
        _snapshot.forget()
    return tenant


SNAPSHOT_LIMIT = 20_000


class _RunnableSnapshot:
    """The active tenants by schema, as this process last read them."""

    expires: float
    tenants: dict[str, Tenant]
    refused: dict[str, float]

    def __init__(self) -> None:
        self.forget()

    def forget(self) -> None:
        self.expires = 0.0
        self.tenants = {}
        self.refused = {}

    def take(self, expires: float) -> None:
        active = list(
            Tenant.objects.filter(status=TenantStatus.ACTIVE).order_by("id")[
                : SNAPSHOT_LIMIT + 1
            ]
        )
        complete = len(active) <= SNAPSHOT_LIMIT
        self.tenants = {t.schema_name: t for t in active} if complete else {}
        self.refused = {}
        self.expires = expires


_snapshot = _RunnableSnapshot()


def forget_runnable_tenants() -> None:
    """Drop this process's snapshot of runnable tenants."""
    _snapshot.forget()


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
