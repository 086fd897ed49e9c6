"""Cache keys: tenant data keyed by schema, routing keyed by host."""

from __future__ import annotations

from django.core.cache import caches
from django.db import connection


def tenant_cache_key(key: str, key_prefix: str, version: int) -> str:
    """Prefix every key in the default cache with the active schema.

    Two tenants writing the same key write different entries; a process that
    has not selected a tenant writes under ``public``.
    """
    schema = getattr(connection, "schema_name", None) or "public"
    return f"{key_prefix}:{schema}:{version}:{key}"


def _routing_key(host: str) -> str:
    return f"route:{host}"


def cached_route(host: str) -> dict[str, object] | bool | None:
    """Return the cached route for a host, None for a cached miss, False if unknown."""
    value = caches["platform"].get(_routing_key(host), default=False)
    return value  # type: ignore[no-any-return]


def remember_route(host: str, route: dict[str, object] | None, seconds: int) -> None:
    caches["platform"].set(_routing_key(host), route, timeout=seconds)


def forget_routes(hosts: list[str]) -> None:
    """Drop cached routes, so the next request reads the database."""
    caches["platform"].delete_many([_routing_key(host) for host in hosts])
