"""The advisory lock that lets one worker at a time work on a tenant's job.

The lock is held by the database session of the worker doing the work, so
it disappears the moment that worker dies (even by SIGKILL): a run that is
``running`` while nobody holds its lock has been abandoned.
"""

from __future__ import annotations

from django.db import connection


def _key(tenant_id: int, kind: str) -> str:
    return f"opsyn.jobs:{tenant_id}:{kind}"


def try_lock(tenant_id: int, kind: str) -> bool:
    """Take the lock for a tenant's kind of job without waiting."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_lock(hashtextextended(%s, 0))",
            [_key(tenant_id, kind)],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def unlock(tenant_id: int, kind: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_unlock(hashtextextended(%s, 0))",
            [_key(tenant_id, kind)],
        )


def is_held_elsewhere(tenant_id: int, kind: str) -> bool:
    """Return whether another database session holds the lock right now."""
    if not try_lock(tenant_id, kind):
        return True
    unlock(tenant_id, kind)
    return False
