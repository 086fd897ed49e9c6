"""Route each request to its tenant's schema by the Host it was sent to."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from opsyn import context

from .activation import use_public, use_tenant
from .hostnames import host_of_request, normalise_host
from .models import TenantStatus
from .selectors import tenant_for_host

log = logging.getLogger(__name__)


class TenantRoutingMiddleware:
    """Select the tenant schema (or the platform's) before anything else runs.

    The connection is reset to the public schema first, so a connection
    reused from another tenant's request never carries its search_path.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.platform_host = normalise_host(settings.OPSYN_PLATFORM_HOST)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = context.new_request_id()
        token = context.bind(request_id=request_id)
        try:
            response = self._route(request)
        finally:
            context.unbind(token)
        response["X-Request-ID"] = request_id
        return response

    def _route(self, request: HttpRequest) -> HttpResponse:
        # Every request selects its schema before anything reads the
        # database, so a connection reused from another tenant's request
        # never keeps that tenant's search_path.
        host = host_of_request(request.META)
        request.opsyn_host = host  # type: ignore[attr-defined]
        request.tenant = None  # type: ignore[attr-defined]

        if host == self.platform_host:
            use_public()
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            return self.get_response(request)

        tenant = tenant_for_host(host) if host else None
        if tenant is None or tenant.status in (
            TenantStatus.PROVISIONING,
            TenantStatus.DELETING,
        ):
            use_public()
            return _page("tenants/unknown_host.html", status=404)
        if tenant.status == TenantStatus.SUSPENDED:
            use_public()
            return _page("tenants/suspended.html", status=403)

        use_tenant(tenant)
        request.tenant = tenant  # type: ignore[attr-defined]
        return self.get_response(request)


def _page(template: str, *, status: int) -> HttpResponse:
    return HttpResponse(render_to_string(template), status=status)
