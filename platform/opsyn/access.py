"""How every page declares who may reach it.

Each view is wrapped by exactly one of these; a test walks the URL maps and
fails on a view that declares nothing. ``requires`` hands the decision to
the authorisation policy (``tenant_apps.access.policy``); nothing here looks
at roles.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase

View = Callable[..., HttpResponseBase]
ACCESS_ATTRIBUTE = "opsyn_access"


def public(view: View) -> View:
    """Declare a page anyone may open (sign-in, health checks)."""
    setattr(view, ACCESS_ATTRIBUTE, ("public",))
    return view


def signed_in(view: View) -> View:
    """Let only signed-in people in: on a tenant host, its active members
    (and support operators with access)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not _is_signed_in(request):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    setattr(wrapped, ACCESS_ATTRIBUTE, ("signed_in",))
    return wrapped


def requires(action: str, entity: str) -> Callable[[View], View]:
    """Let in only those the policy allows ``action`` on ``entity``.

    A module switched off for the organisation or the member answers 404,
    as if it did not exist; a refusal inside a visible module answers 403.
    Views still narrow their queries with ``policy.visible`` and check
    single objects with ``policy.may``: this gate is about the page.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(
            request: HttpRequest, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            from tenant_apps.access import policy
            from tenant_apps.access.catalogue import catalogue

            if not _is_signed_in(request):
                return redirect_to_login(request.get_full_path())
            actor = policy.actor_for_request(request)
            declared = catalogue.entities.get(entity)
            if declared is not None and not policy.module_visible(
                actor, declared.module
            ):
                raise Http404("No such page.")
            if not policy.may(actor, action, entity):
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        setattr(wrapped, ACCESS_ATTRIBUTE, ("requires", action, entity))
        return wrapped

    return decorate


def declared_access(view: object) -> tuple[str, ...] | None:
    """Return what a view declared, or None if it declared nothing."""
    return getattr(view, ACCESS_ATTRIBUTE, None)


def _is_signed_in(request: HttpRequest) -> bool:
    if getattr(request, "tenant", None) is not None:
        # A member, or a support operator an admin let in for a while.
        return (
            getattr(request, "membership", None) is not None
            or getattr(request, "support_access", None) is not None
        )
    return bool(request.user.is_authenticated)
