"""Tell the audit log who is making this request.

Placed after authentication and membership, so the actor is known. The
values stay in force until the routing middleware's request context ends,
which also covers the session save that happens on the way out.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from opsyn import context
from opsyn.clients import client_ip


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Reading the user loads the session, which learns its public id.
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        public_id = getattr(getattr(request, "session", None), "public_id", None)
        context.update(
            actor=f"user:{user.pk}" if signed_in and user is not None else "anonymous",
            ip=client_ip(request) or "",
            session=str(public_id or ""),
        )
        return self.get_response(request)
