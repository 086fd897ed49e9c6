"""Load the session for the host the request was routed by."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest

from opsyn.clients import client_ip

from .store import SessionStore


class HostBoundSessionMiddleware(SessionMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        request.session = SessionStore(
            key,
            host=getattr(request, "opsyn_host", None) or "",
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
        )
