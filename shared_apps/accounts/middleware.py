"""Hold a person who must use a second factor until they have.

Operators, organisation admins and (by default) every member must have
passed TOTP in this session. Until then every page except enrolment, the
second-factor form and signing out sends them there.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from . import two_factor
from .models import User

VERIFIED = "_opsyn_2fa"
OPEN_PATHS = (
    "/sign-in/",
    "/sign-out/",
    "/account/two-factor/enrol/",
    "/account/two-factor/recovery-codes/",
    "/static/",
    "/healthz",
    "/readyz",
)


class TwoFactorGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and not request.session.get(VERIFIED)
            and not request.path.startswith(OPEN_PATHS)
            and two_factor.two_factor_required(
                user=user,
                tenant=getattr(request, "tenant", None),
                membership=getattr(request, "membership", None),
            )
        ):
            if two_factor.has_two_factor(user):
                return redirect("second-factor")
            return redirect("two-factor-enrol")
        return self.get_response(request)
