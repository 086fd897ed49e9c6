"""On a tenant's host, only its active members are signed in."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse

from .selectors import active_membership


class MembershipMiddleware:
    """Attach the member's record; treat a non-member as anonymous.

    A global account that is not an active member of the host's tenant has
    no standing there, whatever its session says.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        if (
            getattr(request, "tenant", None) is not None
            and request.user.is_authenticated
        ):
            membership = active_membership(user_id=request.user.pk)
            if membership is None:
                request.user = AnonymousUser()
            request.membership = membership  # type: ignore[attr-defined]
        return self.get_response(request)
