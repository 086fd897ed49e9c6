"""Reads about the current organisation's members."""

from __future__ import annotations

from typing import Any

from .models import Membership, MembershipStatus


def active_membership(*, user_id: int | None) -> Membership | None:
    """Return the user's active membership in the current tenant, or None."""
    if user_id is None:
        return None
    return Membership.objects.filter(
        user_id=user_id, status=MembershipStatus.ACTIVE
    ).first()


def support_access_here(*, user_id: int | None) -> Any:
    """Return the support access an operator holds on the current tenant.

    An organisation's admin grants it, read-only and for a few hours
    (``access.services.grant_support_access``); None when there is none.
    """
    from shared_apps.operators.selectors import active_support_access
    from shared_apps.tenants.activation import current_tenant

    tenant = current_tenant()
    if user_id is None or tenant is None:
        return None
    return active_support_access(tenant_id=tenant.pk, operator_id=user_id)


def member_user_ids() -> list[int]:
    return list(Membership.objects.values_list("user_id", flat=True))


def is_organisation_admin(membership: Membership | None) -> bool:
    """Return whether a member may administer the organisation's members.

    The answer comes from the authorisation policy, like every other
    permission decision.
    """
    if membership is None or not membership.is_active:
        return False
    from tenant_apps.access import policy

    return policy.may(
        policy.member_actor(membership),
        "administer",
        "members.membership",
        log_denial=False,
    )
