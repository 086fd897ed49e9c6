"""Load the session for the host the request was routed by.

The session is also held to its idle and absolute lifetimes here, on the
server, on every request: a browser that keeps an old cookie gains
nothing.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest

from opsyn.clients import client_ip
from shared_apps.security.events import record

from .selectors import session_limits
from .store import SessionStore


class HostBoundSessionMiddleware(SessionMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        store = SessionStore(
            key,
            host=getattr(request, "opsyn_host", None) or "",
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
            fingerprint=device_fingerprint(request),
        )
        request.session = store
        if key:
            limits = session_limits(tenant=getattr(request, "tenant", None))
            user_id = store.get("_auth_user_id")
            public_id = store.public_id
            expired = store.expired_by(idle=limits.idle, absolute=limits.absolute)
            if expired and user_id is not None:
                record(
                    "session.expired",
                    user_id=int(user_id),
                    session_public_id=public_id,
                    ip=store.ip,
                )


def device_fingerprint(request: HttpRequest) -> str:
    """Return a keyed hash of the headers that describe the browser."""
    material = "\x1f".join(
        request.headers.get(name, "")
        for name in ("user-agent", "accept-language", "accept-encoding")
    )
    key = f"opsyn-fingerprint:{settings.SECRET_KEY}".encode()
    return hmac.new(key, material.encode(), hashlib.sha256).hexdigest()
