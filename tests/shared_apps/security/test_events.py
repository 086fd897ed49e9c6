"""Security events reach the opsyn.security logger with who, where, which session."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from tests.shared_apps.accounts.support import code, new_member, sign_in

pytestmark = pytest.mark.django_db


def _events(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "opsyn.security"]


def test_sign_in_failure_and_success_are_logged_with_context(
    two_tenants, caplog
) -> None:
    alpha, _ = two_tenants
    key = b"events-events-events"
    member = new_member(alpha, totp_key=key)
    client = Client(HTTP_HOST=alpha.host, REMOTE_ADDR="192.0.2.10")
    caplog.set_level(logging.INFO, logger="opsyn.security")

    sign_in(client, member.email, "wrong wrong wrong")
    sign_in(client, member.email)
    client.post("/sign-in/second-factor/", {"code": code(key)})
    cookie = client.cookies["opsyn-session"].value
    client.post("/sign-out/")

    kinds = [r.getMessage() for r in _events(caplog)]
    assert kinds == [
        "signin.failed",
        "two_factor.verified",
        "signin.succeeded",
        "signout",
    ]
    succeeded = vars(_events(caplog)[2])
    assert succeeded["user_id"] == member.pk
    assert succeeded["ip"] == "192.0.2.10"
    assert succeeded["schema"] == alpha.tenant.schema_name
    assert len(str(succeeded["session"])) == 36  # the public id, not the cookie
    assert cookie not in str(succeeded)


def test_an_unknown_event_kind_is_a_programming_error() -> None:
    from shared_apps.security.events import record

    with pytest.raises(ValueError, match="unknown security event"):
        record("signin.maybe")
