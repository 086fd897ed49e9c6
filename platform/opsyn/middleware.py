"""Refusals that hold for every page, before any view reads the request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
)

# Methods no page answers: TRACE echoes requests (cookies included) in
# some servers, CONNECT asks for a tunnel.
REFUSED_METHODS = frozenset({"TRACE", "TRACK", "CONNECT"})
SERVED_METHODS = ("GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE")

NUL_REFUSAL = (
    "The address contains a NUL character (%00), which no page accepts. "
    "Remove it and try again."
)


class NulCharacterMiddleware:
    """Answer 400 to a query string carrying a NUL character, 405 to TRACE.

    PostgreSQL text cannot hold NUL, so a search or filter value with one
    would fail in the database; forms refuse it in bodies field by field,
    and this refuses it in addresses once, for every view.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in REFUSED_METHODS:
            return HttpResponseNotAllowed(SERVED_METHODS)
        if "%00" in request.META.get("QUERY_STRING", "") and _has_nul(request):
            return HttpResponseBadRequest(NUL_REFUSAL, content_type="text/plain")
        return self.get_response(request)


def _has_nul(request: HttpRequest) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )
