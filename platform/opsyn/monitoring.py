"""Error monitoring: Sentry, when a DSN is configured.

Called once per process from the WSGI/ASGI entry points and the Celery app,
so the web server, workers and the scheduler all report their errors.
"""

from __future__ import annotations

from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.types import Event, Hint

from opsyn import env

# Request data that must never leave the platform: credentials and the
# personal data tenants keep.
_SCRUBBED_HEADERS = {"cookie", "authorization", "x-api-key"}


def configure() -> bool:
    """Start Sentry if ``SENTRY_DSN`` is set; return whether it started."""
    if not env.SENTRY_DSN:
        return False
    sentry_sdk.init(
        dsn=env.SENTRY_DSN,
        environment=env.ENVIRONMENT,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        traces_sample_rate=0.0,
        before_send=_scrub,
    )
    return True


def _scrub(event: Event, hint: Hint) -> Event:
    request: dict[str, Any] = dict(event.get("request") or {})
    headers = request.get("headers") or {}
    for name in list(headers):
        if name.lower() in _SCRUBBED_HEADERS:
            headers[name] = "[scrubbed]"
    request.pop("data", None)
    request.pop("cookies", None)
    if request:
        event["request"] = request
    return event
