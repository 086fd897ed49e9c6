"""Ending sessions: one, all of a user's others, or any by an operator.

A session is a database row; deleting it makes its cookie anonymous on
the very next request in every process, because each request loads the
session from the database.
"""

from __future__ import annotations

from typing import Any

from opsyn.errors import NotFound
from shared_apps.security.events import record

from .models import Session


def end_session(
    *,
    actor_id: int | None,
    public_id: str,
    user_ids: list[int] | None = None,
    hosts: list[str] | None = None,
    reason: str,
) -> Session:
    """End one session, if it is among the sessions the actor may end.

    ``user_ids`` and ``hosts`` narrow what the actor can reach: a person
    their own sessions, an organisation admin its members' on its hosts,
    an operator (both None) any session.
    """
    found = Session.objects.filter(public_id=_uuid(public_id))
    if user_ids is not None:
        found = found.filter(user_id__in=user_ids)
    if hosts is not None:
        found = found.filter(host__in=hosts)
    session = found.first()
    if session is None:
        raise NotFound("That session does not exist or has already ended.")
    session.delete()
    record(
        "session.terminated",
        user_id=session.user_id,
        session_public_id=str(session.public_id),
        actor_id=actor_id,
        reason=reason,
        host=session.host,
    )
    return session


def end_other_sessions(
    *, actor_id: int | None, user_id: int, keep_key: str | None, reason: str
) -> int:
    """End every session of a user except the one with ``keep_key``."""
    others = Session.objects.filter(user_id=user_id)
    if keep_key:
        others = others.exclude(session_key=keep_key)
    ended = list(others.values_list("public_id", "host"))
    others.delete()
    for public_id, host in ended:
        record(
            "session.terminated",
            user_id=user_id,
            session_public_id=str(public_id),
            actor_id=actor_id,
            reason=reason,
            host=host,
        )
    return len(ended)


def _uuid(value: Any) -> Any:
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound("That session does not exist or has already ended.") from None
