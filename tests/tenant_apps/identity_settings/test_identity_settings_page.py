"""The organisation admin chooses the two-factor policy and timeouts."""

from __future__ import annotations

import pytest
from django.test import Client

from shared_apps.tenants.activation import tenant_scope
from tenant_apps.identity_settings.selectors import current_identity_settings
from tests.conftest import PASSWORD as FIXTURE_PASSWORD
from tests.shared_apps.accounts.support import code, new_member, sign_in

pytestmark = pytest.mark.django_db


def _admin(fixture) -> Client:
    client = Client(HTTP_HOST=fixture.host)
    sign_in(client, fixture.member_email, FIXTURE_PASSWORD)
    return client


def test_the_defaults_are_two_factor_for_all_and_30_minutes_12_hours(
    two_tenants,
) -> None:
    alpha, _ = two_tenants
    page = _admin(alpha).get("/settings/sign-in/").content.decode()

    assert 'value="required" selected' in page
    assert 'value="30"' in page and 'value="12"' in page


def test_an_admin_saves_values_within_the_platform_bounds(two_tenants) -> None:
    alpha, _ = two_tenants
    client = _admin(alpha)

    too_long = client.post(
        "/settings/sign-in/",
        {
            "two_factor_policy": "optional",
            "idle_timeout_minutes": 600,
            "absolute_timeout_hours": 12,
        },
    )
    assert too_long.status_code == 400
    assert (
        "The idle timeout must be between 5 and 240 minutes."
        in too_long.content.decode()
    )

    saved = client.post(
        "/settings/sign-in/",
        {
            "two_factor_policy": "optional",
            "idle_timeout_minutes": 15,
            "absolute_timeout_hours": 8,
        },
    )
    assert saved.status_code == 302
    with tenant_scope(alpha.tenant):
        chosen = current_identity_settings()
    assert (chosen.two_factor_policy, chosen.idle_timeout_minutes) == ("optional", 15)


def test_a_member_who_is_not_an_admin_cannot_change_them(two_tenants) -> None:
    alpha, _ = two_tenants
    key = b"notadm-notadm-notadm"
    member = new_member(alpha, totp_key=key)
    client = Client(HTTP_HOST=alpha.host)
    sign_in(client, member.email)
    client.post("/sign-in/second-factor/", {"code": code(key)})

    assert client.get("/settings/sign-in/").status_code == 403
