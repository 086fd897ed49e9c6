"""The security log: every sign-in, lockout, 2FA and session event.

All of them are written through ``record`` so that the audit log can take
them from one place when it lands. The cookie value never appears here:
sessions are named by their public id.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection
from django.http import HttpRequest

from opsyn.clients import client_ip

log = logging.getLogger("opsyn.security")

# Stable dotted names; the audit log will key on these.
KINDS = frozenset(
    {
        "signin.succeeded",
        "signin.failed",
        "signin.throttled",
        "signin.locked",
        "signin.unlocked",
        "signin.unavailable",
        "signout",
        "email.verification_sent",
        "email.verified",
        "password.changed",
        "password.reset_requested",
        "password.reset",
        "two_factor.enrolled",
        "two_factor.verified",
        "two_factor.failed",
        "two_factor.throttled",
        "two_factor.removed",
        "two_factor.recovery_code_used",
        "two_factor.recovery_codes_regenerated",
        "session.terminated",
        "session.expired",
        "invitation.sent",
        "invitation.revoked",
        "invitation.accepted",
        "support.signed_in",
    }
)


def record(
    kind: str,
    *,
    request: HttpRequest | None = None,
    user_id: int | None = None,
    session_public_id: str | None = None,
    ip: str | None = None,
    level: int = logging.INFO,
    **fields: Any,
) -> None:
    """Write one security event with its tenant, user, IP and session."""
    if kind not in KINDS:
        raise ValueError(f"unknown security event kind {kind!r}")
    if request is not None:
        ip = ip or client_ip(request)
        if user_id is None and request.user.is_authenticated:
            user_id = int(request.user.pk)
        if session_public_id is None:
            session_public_id = _public_id(request)
    log.log(
        level,
        kind,
        extra={
            "schema": getattr(connection, "schema_name", "") or "public",
            "user_id": user_id,
            "ip": ip,
            "session": session_public_id,
            **fields,
        },
    )


def _public_id(request: HttpRequest) -> str | None:
    session = getattr(request, "session", None)
    value = getattr(session, "public_id", None)
    return str(value) if value else None
