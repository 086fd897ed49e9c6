"""On a tenant's host, only its active members (and support operators an
admin let in) are signed in."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse

from .selectors import active_membership, support_access_here


class MembershipMiddleware:
    """Attach the member's record; treat a non-member as anonymous.

    A global account that is not an active member of the host's tenant has
    no standing there, whatever its session says, unless it is a support
    operator whom an admin granted time-limited access (``support_access``
    is then set, and the policy lets it view, never change).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        request.support_access = None  # type: ignore[attr-defined]
        if (
            getattr(request, "tenant", None) is not None
            and request.user.is_authenticated
        ):
            membership = active_membership(user_id=request.user.pk)
            request.membership = membership  # type: ignore[attr-defined]
            if membership is None:
                access = support_access_here(user_id=request.user.pk)
                request.support_access = access  # type: ignore[attr-defined]
                if access is None:
                    request.user = AnonymousUser()
        return self.get_response(request)
