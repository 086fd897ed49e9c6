"""Reads about operators and the support access tenants granted them."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from .models import SupportAccess


def active_support_access(*, tenant_id: int, operator_id: int) -> SupportAccess | None:
    """Return the unexpired, unrevoked support access, if there is one."""
    return (
        SupportAccess.objects.filter(
            tenant_id=tenant_id,
            operator_id=operator_id,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-expires_at")
        .first()
    )


def support_access_of_tenant(*, tenant_id: int) -> QuerySet[SupportAccess]:
    return SupportAccess.objects.filter(tenant_id=tenant_id).select_related("operator")
