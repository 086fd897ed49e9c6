"""Reads about sessions: lifetimes, and who is signed in where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .models import Session


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    absolute: timedelta


def session_limits(*, tenant: Any = None) -> SessionLimits:
    """Return the lifetimes for sessions on a tenant's hosts (or the platform's).

    An organisation's choice is clamped to the platform's bounds, so a bad
    row can never make sessions last longer than the platform allows.
    """
    idle_minutes = settings.OPSYN_SESSION_IDLE_MINUTES
    absolute_hours = settings.OPSYN_SESSION_ABSOLUTE_HOURS
    if tenant is not None:
        from tenant_apps.identity_settings.selectors import current_identity_settings

        chosen = current_identity_settings()
        idle_minutes = chosen.idle_timeout_minutes
        absolute_hours = chosen.absolute_timeout_hours
    low, high = settings.OPSYN_SESSION_IDLE_BOUNDS
    idle_minutes = min(max(idle_minutes, low), high)
    low, high = settings.OPSYN_SESSION_ABSOLUTE_BOUNDS
    absolute_hours = min(max(absolute_hours, low), high)
    return SessionLimits(
        idle=timedelta(minutes=idle_minutes), absolute=timedelta(hours=absolute_hours)
    )


def live_sessions(
    *, user_ids: list[int], hosts: list[str] | None = None
) -> QuerySet[Session]:
    """Return the unexpired sessions of some users, newest activity first."""
    found = Session.objects.filter(user_id__in=user_ids, expire_date__gt=timezone.now())
    if hosts is not None:
        found = found.filter(host__in=hosts)
    return found.order_by("-last_seen_at")


def describe_device(user_agent: str) -> str:
    """Return a short, readable name for a browser from its user agent."""
    agent = user_agent or ""
    browser = next(
        (
            name
            for token, name in (
                ("Edg/", "Edge"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Safari/", "Safari"),
                ("curl/", "curl"),
            )
            if token in agent
        ),
        "Unknown browser",
    )
    system = next(
        (
            name
            for token, name in (
                ("Windows", "Windows"),
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("Mac OS X", "macOS"),
                ("Linux", "Linux"),
            )
            if token in agent
        ),
        "unknown system",
    )
    return f"{browser} on {system}"
