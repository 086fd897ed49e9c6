"""Reads about the current tenant's retention policy, holds and receipts."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import LegalHold, RetentionPolicy, RetentionReceipt


def current_policy() -> RetentionPolicy:
    """Return the tenant's policy; the defaults when none was saved."""
    return RetentionPolicy.objects.order_by("pk").first() or RetentionPolicy()


def active_holds() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(released_at__isnull=True)


def held_categories() -> set[str]:
    """Return the categories under a hold; ``""`` means all of them."""
    return set(active_holds().values_list("category", flat=True))


def recent_receipts(limit: int = 30) -> QuerySet[RetentionReceipt]:
    return RetentionReceipt.objects.order_by("-finished_at", "-id")[:limit]
