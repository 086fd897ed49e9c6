"""Reads on the incident register."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from .models import NOTIFICATION_WINDOW, Incident


def incidents_listed() -> QuerySet[Incident]:
    return Incident.objects.prefetch_related("tenants").order_by("-detected_at")


def overdue_notices(*, now: datetime | None = None) -> QuerySet[Incident]:
    """Personal-data incidents whose customers were not told within 72 hours."""
    now = now or timezone.now()
    return Incident.objects.filter(
        personal_data=True,
        customers_notified_at__isnull=True,
        detected_at__lte=now - NOTIFICATION_WINDOW,
    )
