"""Scheduled platform tasks that prove the machinery runs."""

from __future__ import annotations

from opsyn.celery import platform_task

from . import services


@platform_task(name="health.heartbeat")
def heartbeat() -> str:
    """Record a heartbeat: the scheduler sent it and a worker ran it."""
    return services.record_heartbeat().beat_at.isoformat()
