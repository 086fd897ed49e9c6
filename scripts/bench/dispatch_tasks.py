"""The no-op tasks ``dispatch.py`` times, for the worker it starts.

Both count themselves in Redis and do nothing else; the tenant-aware one
also finds its tenant from the message header and selects its schema, as
every per-tenant job does.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from opsyn.celery import app, tenant_task

__all__ = ["app", "noop_plain", "noop_tenant"]


@cache
def _redis() -> Any:
    import redis
    from django.conf import settings

    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


@tenant_task(name="bench.noop_tenant")
def noop_tenant(key: str) -> None:
    _redis().incr(key)


@app.task(name="bench.noop_plain")
def noop_plain(key: str) -> None:
    _redis().incr(key)
