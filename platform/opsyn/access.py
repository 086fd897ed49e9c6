"""How every page declares who may reach it.

Each view is wrapped by exactly one of these; a test walks the URL maps and
fails on a view that declares nothing. ``requires`` hands the decision to
the authorisation policy; nothing here looks at roles.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase

View = Callable[..., HttpResponseBase]
ACCESS_ATTRIBUTE = "opsyn_access"


def public(view: View) -> View:
    """Declare a page anyone may open (sign-in, health checks)."""
    setattr(view, ACCESS_ATTRIBUTE, ("public",))
    return view


def signed_in(view: View) -> View:
    """Let only signed-in people in: on a tenant host, its active members."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not _is_signed_in(request):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    setattr(wrapped, ACCESS_ATTRIBUTE, ("signed_in",))
    return wrapped


def requires(action: str, entity: str) -> Callable[[View], View]:
    """Let in only those the policy allows ``action`` on ``entity``.

    Until the authorisation policy lands, any active member is allowed.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(
            request: HttpRequest, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            if not _is_signed_in(request):
                return redirect_to_login(request.get_full_path())
            return view(request, *args, **kwargs)

        setattr(wrapped, ACCESS_ATTRIBUTE, ("requires", action, entity))
        return wrapped

    return decorate


def declared_access(view: object) -> tuple[str, ...] | None:
    """Return what a view declared, or None if it declared nothing."""
    return getattr(view, ACCESS_ATTRIBUTE, None)


def _is_signed_in(request: HttpRequest) -> bool:
    if getattr(request, "tenant", None) is not None:
        return getattr(request, "membership", None) is not None
    return bool(request.user.is_authenticated)
