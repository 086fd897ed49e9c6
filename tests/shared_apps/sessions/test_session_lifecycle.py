"""Sessions end on the server: timeouts, revocation, sign-out, other hosts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from shared_apps.accounts.models import User
from shared_apps.sessions.models import Session
from shared_apps.tenants.activation import tenant_scope
from tenant_apps.identity_settings.models import IdentitySettings
from tests.shared_apps.accounts.support import code, new_member, session_cookie, sign_in

pytestmark = pytest.mark.django_db

START = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)


def _signed_in(fixture, key: bytes) -> tuple[Client, User]:
    member = new_member(fixture, totp_key=key)
    client = Client(HTTP_HOST=fixture.host)
    sign_in(client, member.email)
    response = client.post("/sign-in/second-factor/", {"code": code(key)})
    assert response.status_code == 302
    return client, member


def test_an_idle_session_ends_after_thirty_minutes(two_tenants) -> None:
    alpha, _ = two_tenants
    with time_machine.travel(START, tick=False) as clock:
        client, _ = _signed_in(alpha, b"idle-idle-idle-idle-")
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/contacts/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        # Active within the window: still signed in.
        assert client.get("/contacts/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/contacts/")

    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_an_active_session_still_ends_after_twelve_hours(two_tenants) -> None:
    alpha, _ = two_tenants
    with time_machine.travel(START, tick=False) as clock:
        client, _ = _signed_in(alpha, b"absolute-absolute-ab")
        for _ in range(24):
            clock.shift(dt.timedelta(minutes=29))
            assert client.get("/contacts/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        response = client.get("/contacts/")

    assert response.status_code == 302


def test_an_organisation_shortens_the_idle_timeout_within_bounds(two_tenants) -> None:
    alpha, _ = two_tenants
    with tenant_scope(alpha.tenant):
        IdentitySettings.objects.create(idle_timeout_minutes=10)
    with time_machine.travel(START, tick=False) as clock:
        client, _ = _signed_in(alpha, b"short-short-short-sh")
        clock.shift(dt.timedelta(minutes=11))
        response = client.get("/contacts/")

    assert response.status_code == 302


def test_an_out_of_bounds_organisation_value_is_clamped(two_tenants) -> None:
    alpha, _ = two_tenants
    with tenant_scope(alpha.tenant):
        # Written around the service, as a bad migration or manual edit might.
        IdentitySettings.objects.create(absolute_timeout_hours=1000)
    with time_machine.travel(START, tick=False) as clock:
        client, _ = _signed_in(alpha, b"clamp-clamp-clamp-cl")
        for _ in range(50):
            clock.shift(dt.timedelta(minutes=29))
            client.get("/contacts/")
        response = client.get("/contacts/")

    assert response.status_code == 302


def test_a_terminated_session_is_anonymous_on_its_next_request(two_tenants) -> None:
    alpha, _ = two_tenants
    key = b"revoke-revoke-revoke"
    laptop, member = _signed_in(alpha, key)
    phone = Client(HTTP_HOST=alpha.host)
    sign_in(phone, member.email)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=31)):
        phone.post("/sign-in/second-factor/", {"code": code(key, 1)})
    assert phone.get("/contacts/").status_code == 200
    phone_id = Session.objects.get(session_key=session_cookie(phone)).public_id

    page = laptop.get("/account/sessions/").content.decode()
    assert "This session" in page and str(phone_id) in page
    laptop.post("/account/sessions/", {"session": str(phone_id)})

    assert phone.get("/contacts/").status_code == 302
    assert laptop.get("/contacts/").status_code == 200


def test_signing_out_makes_the_old_cookie_anonymous(two_tenants) -> None:
    alpha, _ = two_tenants
    client, _ = _signed_in(alpha, b"logout-logout-logout")
    cookie = session_cookie(client)

    client.post("/sign-out/")
    replay = Client(HTTP_HOST=alpha.host)
    replay.cookies["opsyn-session"] = cookie

    assert replay.get("/contacts/").status_code == 302
    assert not Session.objects.filter(session_key=cookie).exists()


def test_a_session_replayed_on_another_tenants_host_is_anonymous(two_tenants) -> None:
    alpha, bravo = two_tenants
    client, member = _signed_in(alpha, b"replay-replay-replay")
    with tenant_scope(bravo.tenant):
        from tenant_apps.members.services import add_member

        add_member(actor="test", user=member, role="viewer")
    replay = Client(HTTP_HOST=bravo.host)
    replay.cookies["opsyn-session"] = session_cookie(client)

    response = replay.get("/contacts/")

    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_sessions_record_ip_device_and_a_hashed_fingerprint(two_tenants) -> None:
    alpha, _ = two_tenants
    member = new_member(alpha, totp_key=b"finger-finger-finger")
    agent = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36"
    client = Client(
        HTTP_HOST=alpha.host, HTTP_USER_AGENT=agent, REMOTE_ADDR="192.0.2.44"
    )
    sign_in(client, member.email)
    client.post("/sign-in/second-factor/", {"code": code(b"finger-finger-finger")})

    row = Session.objects.get(session_key=session_cookie(client))
    page = client.get("/account/sessions/").content.decode()

    assert row.ip == "192.0.2.44"
    assert len(row.fingerprint) == 64 and agent not in row.fingerprint
    assert "Chrome on Linux" in page and "192.0.2.44" in page


def test_an_admin_ends_a_members_session_but_not_on_other_organisations(
    two_tenants,
) -> None:
    alpha, bravo = two_tenants
    member_client, member = _signed_in(alpha, b"member-member-member")
    admin = Client(HTTP_HOST=alpha.host)
    from tests.conftest import PASSWORD as FIXTURE_PASSWORD

    sign_in(admin, alpha.member_email, FIXTURE_PASSWORD)
    public_id = Session.objects.get(session_key=session_cookie(member_client)).public_id
    bravo_admin = Client(HTTP_HOST=bravo.host)
    sign_in(bravo_admin, bravo.member_email, FIXTURE_PASSWORD)

    screen = admin.get("/members/sessions/").content.decode()
    assert member.email in screen and str(public_id) in screen
    # Another organisation's admin cannot reach it.
    bravo_admin.post("/members/sessions/", {"session": str(public_id)})
    assert member_client.get("/contacts/").status_code == 200

    admin.post("/members/sessions/", {"session": str(public_id)})

    assert member_client.get("/contacts/").status_code == 302


def test_a_viewer_cannot_open_the_members_sessions_screen(two_tenants) -> None:
    alpha, _ = two_tenants
    client, _ = _signed_in(alpha, b"viewer-viewer-viewer")

    assert client.get("/members/sessions/").status_code == 403
