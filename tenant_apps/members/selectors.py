"""Reads about the current organisation's members."""

from __future__ import annotations

from .models import Membership, MembershipStatus


def active_membership(*, user_id: int | None) -> Membership | None:
    """Return the user's active membership in the current tenant, or None."""
    if user_id is None:
        return None
    return Membership.objects.filter(
        user_id=user_id, status=MembershipStatus.ACTIVE
    ).first()


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
