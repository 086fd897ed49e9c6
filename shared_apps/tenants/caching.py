"""Cache keys: tenant data keyed by schema, routing keyed by host."""

from __future__ import annotations

import time

from django.core.cache import caches
from django.db import connection


def tenant_cache_key(key: str, key_prefix: str, version: int) -> str:
    """Prefix every key in the default cache with the active schema.

    Two tenants writing the same key write different entries; a process that
    has not selected a tenant writes under ``public``.
    """
    schema = getattr(connection, "schema_name", None) or "public"
    return f"{key_prefix}:{schema}:{version}:{key}"


Route = dict[str, object] | None

# Each process keeps what it routed in the last few seconds in front of
# Redis: a Redis round trip per request would cost more than the rest of
# routing. A change made in this process drops its local entries at once;
# other processes see it when their entry expires (LOCAL_ROUTE_SECONDS).
LOCAL_ROUTE_SECONDS = 5.0
_LOCAL_LIMIT = 10_000
_local: dict[str, tuple[float, object]] = {}
_MISSING = object()


def _routing_key(host: str) -> str:
    return f"route:{host}"


def local_route(host: str) -> object:
    """Return what this process routed the host to recently, or ``MISSING``."""
    entry = _local.get(host)
    if entry is None or entry[0] <= time.monotonic():
        return _MISSING
    return entry[1]


def keep_locally(host: str, value: object) -> None:
    """Remember a routing outcome in this process for a few seconds."""
    if len(_local) >= _LOCAL_LIMIT:
        _local.clear()
    _local[host] = (time.monotonic() + LOCAL_ROUTE_SECONDS, value)


def cached_route(host: str) -> Route | bool:
    """Return the route Redis holds for a host: None for a known miss, False if none."""
    return caches["platform"].get(  # type: ignore[no-any-return]
        _routing_key(host), default=False
    )


def remember_route(host: str, route: Route, seconds: int) -> None:
    caches["platform"].set(_routing_key(host), route, timeout=seconds)


def forget_routes(hosts: list[str]) -> None:
    """Drop cached routes, so the next request reads the database."""
    for host in hosts:
        _local.pop(host, None)
    caches["platform"].delete_many([_routing_key(host) for host in hosts])


def forget_local_routes() -> None:
    """Drop this process's copies (tests use it to stand in for another process)."""
    _local.clear()


MISSING = _MISSING
