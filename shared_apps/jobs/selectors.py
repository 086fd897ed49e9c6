"""Reads about job runs and schedules."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from opsyn.errors import NotFound

from .models import JobRun, Kind, TenantSchedule

# Tenants without their own schedule are spread over this many minutes
# after the default time, so their runs do not all fall due at once.
DEFAULT_SPREAD_MINUTES = 180
DEFAULT_TIMES = {
    Kind.BACKUP: datetime.time(1, 0),
    Kind.RETENTION: datetime.time(3, 0),
}


def run_by_id(run_id: int) -> JobRun:
    """Return a run, or raise ``NotFound``."""
    run = JobRun.objects.select_related("tenant").filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"No job run #{run_id}.")
    return run


def runs_listed(
    *, slug: str | None = None, kind: str | None = None, status: str | None = None
) -> QuerySet[JobRun]:
    """Return runs, newest first, optionally narrowed."""
    runs = JobRun.objects.select_related("tenant")
    if slug:
        runs = runs.filter(tenant__slug=slug)
    if kind:
        runs = runs.filter(kind=kind)
    if status:
        runs = runs.filter(status=status)
    return runs.order_by("-created_at", "-id")


def due_time(
    *, tenant_id: int, kind: str, schedule: TenantSchedule | None
) -> datetime.time:
    """Return the UTC time of day a tenant's daily job of a kind is due."""
    if schedule is not None:
        return schedule.backup_time if kind == Kind.BACKUP else schedule.retention_time
    base = DEFAULT_TIMES[Kind(kind)]
    minutes = base.hour * 60 + base.minute + (tenant_id * 37) % DEFAULT_SPREAD_MINUTES
    return datetime.time(minutes // 60 % 24, minutes % 60)
