"""Security events (sign-in, 2FA, sessions) land in the same audit log."""

from __future__ import annotations

import pytest

from shared_apps.audit.models import PlatformEvent
from shared_apps.security import events
from shared_apps.tenants.activation import tenant_scope, use_public
from tenant_apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_security_event_in_a_tenant_becomes_an_audit_event(two_tenants) -> None:
    with tenant_scope(two_tenants[0].tenant):
        events.record(
            "signin.failed",
            user_id=77,
            ip="203.0.113.40",
            session_public_id="sess-1",
            reason="password",
        )
        event = AuditEvent.objects.filter(kind="security.signin.failed").latest("id")

    assert event.kind == "security.signin.failed"
    assert (event.actor, event.ip, event.session_id) == (
        "user:77",
        "203.0.113.40",
        "sess-1",
    )
    assert event.changes["reason"] == "password"


def test_a_security_event_on_the_platform_host_goes_to_the_platform_log() -> None:
    use_public()  # as the routing middleware does for the platform's host
    events.record("signout", user_id=5, ip="192.0.2.1")

    event = PlatformEvent.objects.filter(kind="security.signout").latest("id")
    assert event.kind == "security.signout"
    assert event.actor == "user:5"
