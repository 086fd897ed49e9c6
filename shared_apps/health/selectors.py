"""Health of the platform's dependencies, for the health endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.utils import timezone

from .models import Heartbeat
from .services import SCHEDULER_HEARTBEAT


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def readiness() -> list[Check]:
    """Check the database, Redis and the scheduled heartbeat."""
    return [_database(), _redis(), _heartbeat()]


def _database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Check("database", True, "ok")
    except Exception as exc:
        return Check("database", False, type(exc).__name__)


def _redis() -> Check:
    try:
        caches["platform"].set("health:ping", "1", timeout=10)
        return Check("redis", True, "ok")
    except Exception as exc:
        return Check("redis", False, type(exc).__name__)


def _heartbeat() -> Check:
    beat = Heartbeat.objects.filter(name=SCHEDULER_HEARTBEAT).first()
    if beat is None:
        return Check("scheduler", False, "no heartbeat yet")
    age = timezone.now() - beat.beat_at
    fresh = age <= timedelta(seconds=settings.OPSYN_HEARTBEAT_STALE_SECONDS)
    return Check("scheduler", fresh, f"last beat {int(age.total_seconds())}s ago")
