"""Liveness and readiness endpoints for probes and uptime checks."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from opsyn.access import public

from . import selectors


@public
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    """Answer while the process can serve requests."""
    return JsonResponse({"status": "ok"})


@public
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database, Redis and scheduler are healthy, else 503."""
    checks = selectors.readiness()
    ok = all(check.ok for check in checks)
    body = {
        "status": "ok" if ok else "degraded",
        "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
    }
    return JsonResponse(body, status=200 if ok else 503)
