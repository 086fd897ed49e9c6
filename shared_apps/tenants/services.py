"""Tenant lifecycle: provision, suspend, resume, delete; domains.

Every function takes keyword-only arguments and names its actor, so the
CLI, the operator console and tasks all change tenants the same way.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from opsyn.errors import Conflict, InvalidInput, NotFound

from . import caching, schemas
from .activation import use_public
from .hostnames import normalise_host
from .models import Domain, Tenant, TenantStatus
from .selectors import forget_runnable_tenants, hosts_of, tenant_by_slug

log = logging.getLogger(__name__)


def provision_tenant(
    *, actor: str, name: str, slug: str, domain: str, region: str | None = None
) -> Tenant:
    """Create a tenant with its schema and primary domain, ready to serve.

    Every input is checked before anything touches the database. The schema
    comes from the prepared pool when one waits (a rename), else it is
    prepared now; the tenant row, the schema rename and the domain commit
    together or not at all.
    """
    request = check_new_tenant(name=name, slug=slug, domain=domain, region=region)
    name, schema, host, region = (
        request.name,
        request.schema,
        request.host,
        request.region,
    )

    use_public()
    if not _pool_has_current_schema():
        from shared_apps.audit.provisioning import connected_as_app_role

        if connected_as_app_role():
            # Creating and migrating a schema needs the owner role.
            raise Conflict(
                "No prepared schema is waiting; an operator must run "
                "`opsyn pool fill` first."
            )
        schemas.prepare_schema()

    try:
        with transaction.atomic():
            tenant = Tenant.objects.create(
                name=name, slug=slug, schema_name=schema, region=region
            )
            if not schemas.claim_prepared_schema(schema):
                raise Conflict("No prepared schema was free; try again.")
            Domain.objects.create(tenant=tenant, domain=host, is_primary=True)
            Tenant.objects.filter(pk=tenant.pk).update(status=TenantStatus.ACTIVE)
            tenant.refresh_from_db()
            transaction.on_commit(lambda: caching.forget_routes([host]))
    except IntegrityError as exc:
        raise Conflict(f"Tenant {slug!r} or domain {host!r} already exists.") from exc

    log.info(
        "tenant.provisioned",
        extra={"actor": actor, "slug": slug, "schema": schema, "domain": host},
    )
    return tenant


@dataclass(frozen=True)
class NewTenant:
    name: str
    slug: str
    schema: str
    host: str
    region: str


def check_new_tenant(
    *, name: str, slug: str, domain: str, region: str | None = None
) -> NewTenant:
    """Validate a provisioning request without changing anything."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("Name is required and may be at most 100 characters.")
    schema = schemas.schema_name_for_slug(slug)
    region = region or settings.OPSYN_DEFAULT_REGION
    if region not in settings.OPSYN_REGIONS:
        allowed = ", ".join(sorted(settings.OPSYN_REGIONS))
        raise InvalidInput(
            f"Region {region!r} is not offered; choose one of {allowed}."
        )
    if Tenant.objects.filter(slug=slug).exists() or schemas.schema_exists(schema):
        raise Conflict(f"A tenant with slug {slug!r} already exists.")
    host = check_new_host(domain)
    return NewTenant(name=name, slug=slug, schema=schema, host=host, region=region)


def suspend_tenant(*, actor: str, slug: str) -> Tenant:
    """Stop serving a tenant's data; its hosts answer with a suspended page."""
    return _set_status(actor=actor, slug=slug, status=TenantStatus.SUSPENDED)


def resume_tenant(*, actor: str, slug: str) -> Tenant:
    """Serve a suspended tenant again."""
    return _set_status(actor=actor, slug=slug, status=TenantStatus.ACTIVE)


def delete_tenant(*, actor: str, slug: str) -> None:
    """Delete a tenant: mark it deleting, then drop its schema and rows.

    The mark commits first, so the tenant stops being served before any data
    goes; a failure part-way leaves it marked and the call can be repeated.
    """
    tenant = tenant_by_slug(slug)
    hosts = hosts_of(tenant)
    Tenant.objects.filter(pk=tenant.pk).update(status=TenantStatus.DELETING)
    caching.forget_routes(hosts)
    forget_runnable_tenants()
    # Other processes may still route to the tenant from their short-lived
    # route memo; let that expire before the schema goes, so they answer
    # 404 instead of failing on missing tables.
    time.sleep(settings.OPSYN_ROUTE_DRAIN_SECONDS)

    use_public()
    with transaction.atomic():
        schemas.drop_schema(tenant.schema_name)
        tenant.domains.all().delete()
        Tenant.objects.filter(pk=tenant.pk).delete()
    caching.forget_routes(hosts)
    log.info("tenant.deleted", extra={"actor": actor, "slug": slug})


def add_domain(*, actor: str, slug: str, domain: str, primary: bool = False) -> Domain:
    """Route another host to a tenant."""
    tenant = tenant_by_slug(slug)
    host = check_new_host(domain)
    try:
        with transaction.atomic():
            if primary:
                tenant.domains.filter(is_primary=True).update(is_primary=False)
            added = Domain.objects.create(
                tenant=tenant, domain=host, is_primary=primary
            )
    except IntegrityError as exc:
        raise Conflict(f"Domain {host!r} is already in use.") from exc
    caching.forget_routes([host])
    log.info("domain.added", extra={"actor": actor, "slug": slug, "domain": host})
    return added


def rename_tenant(*, actor: str, slug: str, name: str) -> Tenant:
    """Change a tenant's display name everywhere it is shown."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("Name is required and may be at most 100 characters.")
    tenant = tenant_by_slug(slug)
    Tenant.objects.filter(pk=tenant.pk).update(name=name, updated_at=timezone.now())
    caching.forget_routes(hosts_of(tenant))
    tenant.refresh_from_db()
    log.info("tenant.renamed", extra={"actor": actor, "slug": slug})
    return tenant


def remove_domain(*, actor: str, domain: str) -> None:
    """Stop routing a host; a tenant's primary domain cannot be removed."""
    host = normalise_host(domain)
    found = Domain.objects.filter(domain=host).select_related("tenant").first()
    if found is None:
        raise NotFound(f"No tenant uses domain {host!r}.")
    if found.is_primary:
        raise Conflict(
            f"{host!r} is the primary domain of {found.tenant.slug!r}; "
            "make another domain primary first."
        )
    found.delete()
    caching.forget_routes([host])
    log.info("domain.removed", extra={"actor": actor, "domain": host})


def set_primary_domain(*, actor: str, domain: str) -> Domain:
    """Make a host its tenant's primary domain."""
    host = normalise_host(domain)
    found = Domain.objects.filter(domain=host).first()
    if found is None:
        raise NotFound(f"No tenant uses domain {host!r}.")
    with transaction.atomic():
        Domain.objects.filter(tenant_id=found.tenant_id, is_primary=True).update(
            is_primary=False
        )
        Domain.objects.filter(pk=found.pk).update(is_primary=True)
    found.refresh_from_db()
    log.info("domain.made_primary", extra={"actor": actor, "domain": host})
    return found


def _set_status(*, actor: str, slug: str, status: TenantStatus) -> Tenant:
    tenant = tenant_by_slug(slug)
    if tenant.status not in (TenantStatus.ACTIVE, TenantStatus.SUSPENDED):
        raise Conflict(f"Tenant {slug!r} is {tenant.status}; it cannot be changed.")
    Tenant.objects.filter(pk=tenant.pk).update(status=status, updated_at=timezone.now())
    tenant.refresh_from_db()
    caching.forget_routes(hosts_of(tenant))
    forget_runnable_tenants()
    event = "tenant.resumed" if status == TenantStatus.ACTIVE else "tenant.suspended"
    log.info(event, extra={"actor": actor, "slug": slug})
    return tenant


def check_new_host(domain: str) -> str:
    """Return the canonical form of a host that may be routed to a tenant."""
    host = normalise_host(domain)
    if host == normalise_host(settings.OPSYN_PLATFORM_HOST):
        raise InvalidInput(f"{host!r} is the platform's own host.")
    if _is_ip_address(host):
        raise InvalidInput(f"{host!r} is an IP address; tenants need host names.")
    if "." not in host:
        raise InvalidInput(
            f"{host!r} is a single-label name; use a full domain such as "
            f"{host}.example.com."
        )
    if Domain.objects.filter(domain=host).exists():
        raise Conflict(f"Domain {host!r} is already in use.")
    return host


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _pool_has_current_schema() -> bool:
    from .models import PreparedSchema

    return PreparedSchema.objects.filter(
        fingerprint=schemas.migration_fingerprint()
    ).exists()
