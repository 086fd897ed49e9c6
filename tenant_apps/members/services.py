"""Changes to the current organisation's memberships."""

from __future__ import annotations

import logging

from django.db import transaction

from opsyn.errors import Conflict, InvalidInput
from shared_apps.accounts.models import User
from shared_apps.accounts.services import index_membership
from shared_apps.tenants.activation import current_tenant

from .models import Membership, MembershipStatus, Role

log = logging.getLogger(__name__)


def add_member(*, actor: str, user: User, role: str = Role.VIEWER) -> Membership:
    """Make a user a member of the current tenant."""
    tenant = _current_tenant_id()
    check_role(role)
    if Membership.objects.filter(user_id=user.pk).exists():
        raise Conflict(f"{user.email} is already a member.")
    with transaction.atomic():
        membership = Membership.objects.create(user=user, role=role)
        index_membership(user_id=user.pk, tenant_id=tenant, member=True)
    log.info("member.added", extra={"actor": actor, "user_id": user.pk, "role": role})
    return membership


def suspend_member(*, actor: str, user: User) -> Membership:
    """Keep a member's record but refuse them access."""
    membership = Membership.objects.get(user_id=user.pk)
    membership.status = MembershipStatus.SUSPENDED
    membership.save(update_fields=["status", "updated_at"])
    log.info("member.suspended", extra={"actor": actor, "user_id": user.pk})
    return membership


def check_role(role: str) -> None:
    """Refuse a role the organisation does not have (preset or custom)."""
    from tenant_apps.access.selectors import role_keys

    known = role_keys()
    if role not in known:
        raise InvalidInput(
            f"Role {role!r} does not exist; choose one of {', '.join(sorted(known))}."
        )


def _current_tenant_id() -> int:
    tenant = current_tenant()
    if tenant is None:
        raise Conflict("Memberships can only change inside a tenant.")
    return int(tenant.pk)


def reindex_all_memberships() -> int:
    """Rebuild the public membership index from every tenant's members."""

    from shared_apps.accounts.services import rebuild_membership_index
    from shared_apps.tenants.activation import tenant_scope
    from shared_apps.tenants.models import Tenant, TenantStatus

    total = 0
    for tenant in Tenant.objects.exclude(status=TenantStatus.DELETING):
        with tenant_scope(tenant):
            user_ids = list(
                Membership.objects.filter(status=MembershipStatus.ACTIVE).values_list(
                    "user_id", flat=True
                )
            )
        total += rebuild_membership_index(tenant_id=tenant.pk, user_ids=user_ids)
    return total
