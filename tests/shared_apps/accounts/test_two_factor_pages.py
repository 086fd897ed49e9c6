"""Enrolment, recovery codes and removal, as a person sees them."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from shared_apps.accounts.models import RecoveryCode
from tests.shared_apps.accounts.support import (
    PASSWORD,
    code,
    code_from_secret,
    new_member,
    session_cookie,
    sign_in,
)

pytestmark = pytest.mark.django_db


def _enrol(client: Client) -> tuple[str, list[str]]:
    page = client.get("/account/two-factor/enrol/").content.decode()
    found = re.search(r'id="totp-secret">([A-Z2-7]+)<', page)
    assert found is not None
    secret = found.group(1)
    before = session_cookie(client)
    response = client.post(
        "/account/two-factor/enrol/", {"code": code_from_secret(secret)}
    )
    assert response["Location"] == "/account/two-factor/recovery-codes/"
    assert session_cookie(client) != before
    codes_page = client.get(response["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", codes_page)
    return secret, codes


def test_enrolment_shows_a_qr_code_and_the_otpauth_uri(two_tenants) -> None:
    alpha, _ = two_tenants
    member = new_member(alpha)
    client = Client(HTTP_HOST=alpha.host)
    sign_in(client, member.email)

    page = client.get("/account/two-factor/enrol/").content.decode()

    assert "<svg" in page
    assert f"otpauth://totp/OpSyn:{member.email}?" in page
    assert "issuer=OpSyn" in page


def test_a_wrong_code_does_not_confirm_the_device(two_tenants) -> None:
    alpha, _ = two_tenants
    member = new_member(alpha)
    client = Client(HTTP_HOST=alpha.host)
    sign_in(client, member.email)
    client.get("/account/two-factor/enrol/")

    response = client.post("/account/two-factor/enrol/", {"code": "123456"})

    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    # Unconfirmed: still held at enrolment.
    assert client.get("/contacts/")["Location"] == "/account/two-factor/enrol/"


@pytest.mark.parametrize("typed", ["", "1" * 10_000])
def test_an_empty_or_overlong_code_is_named_on_the_page(two_tenants, typed) -> None:
    alpha, _ = two_tenants
    member = new_member(alpha)
    client = Client(HTTP_HOST=alpha.host)
    sign_in(client, member.email)
    client.get("/account/two-factor/enrol/")

    response = client.post("/account/two-factor/enrol/", {"code": typed})

    assert response.status_code in (200, 400)
    assert 'role="alert">Code: ' in response.content.decode()


def test_ten_recovery_codes_are_shown_once_and_each_works_once(two_tenants) -> None:
    alpha, _ = two_tenants
    member = new_member(alpha)
    client = Client(HTTP_HOST=alpha.host)
    sign_in(client, member.email)

    _, codes = _enrol(client)
    again = client.get("/account/two-factor/recovery-codes/").content.decode()

    assert len(codes) == 10 and len(set(codes)) == 10
    assert not any(c in again for c in codes)
    assert "You have 10 unused recovery codes" in again
    stored = set(
        RecoveryCode.objects.filter(user=member).values_list("code_hash", flat=True)
    )
    assert not stored & set(codes)
    assert client.get("/contacts/").status_code == 200

    for attempt in range(2):
        other = Client(HTTP_HOST=alpha.host)
        sign_in(other, member.email)
        response = other.post("/sign-in/second-factor/", {"code": codes[0].upper()})
        assert (response.status_code == 302) is (attempt == 0)


def test_regenerating_recovery_codes_replaces_the_old_ones(two_tenants) -> None:
    alpha, _ = two_tenants
    member = new_member(alpha)
    client = Client(HTTP_HOST=alpha.host)
    sign_in(client, member.email)
    secret, old = _enrol(client)

    page = client.post(
        "/account/two-factor/recovery-codes/", {"code": code_from_secret(secret, 1)}
    ).content.decode()
    new = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", page)

    assert len(new) == 10 and not set(new) & set(old)
    other = Client(HTTP_HOST=alpha.host)
    sign_in(other, member.email)
    assert other.post("/sign-in/second-factor/", {"code": old[1]}).status_code == 200


def test_removing_two_factor_needs_the_password_and_a_current_code(two_tenants) -> None:
    alpha, _ = two_tenants
    key = b"remove-remove-remove"
    member = new_member(alpha, totp_key=key)
    from shared_apps.tenants.activation import tenant_scope
    from tenant_apps.identity_settings.models import IdentitySettings

    with tenant_scope(alpha.tenant):
        IdentitySettings.objects.create(two_factor_policy="optional")
    client = Client(HTTP_HOST=alpha.host)
    sign_in(client, member.email)
    client.post("/sign-in/second-factor/", {"code": code(key)})

    wrong_password = client.post(
        "/account/two-factor/", {"password": "not it at all", "code": code(key, 1)}
    )
    wrong_code = client.post(
        "/account/two-factor/", {"password": PASSWORD, "code": "000000"}
    )
    assert "Your password is not right" in wrong_password.content.decode()
    assert "That code is not right" in wrong_code.content.decode()

    done = client.post(
        "/account/two-factor/", {"password": PASSWORD, "code": code(key, 1)}
    )

    assert done.status_code == 302
    assert "not set up" in client.get("/account/two-factor/").content.decode()


def test_admins_need_two_factor_even_where_it_is_optional(two_tenants) -> None:
    alpha, _ = two_tenants
    admin = new_member(alpha, role="admin")
    from shared_apps.tenants.activation import tenant_scope
    from tenant_apps.identity_settings.models import IdentitySettings

    with tenant_scope(alpha.tenant):
        IdentitySettings.objects.create(two_factor_policy="optional")
    client = Client(HTTP_HOST=alpha.host)
    sign_in(client, admin.email)

    assert client.get("/contacts/")["Location"] == "/account/two-factor/enrol/"


def test_second_factor_guesses_are_throttled(two_tenants) -> None:
    alpha, _ = two_tenants
    member = new_member(alpha, totp_key=b"guess-guess-guess-gu")
    client = Client(HTTP_HOST=alpha.host)
    sign_in(client, member.email)
    statuses = [
        client.post("/sign-in/second-factor/", {"code": f"{n:06d}"}).status_code
        for n in range(5)
    ]

    assert statuses[:3] == [200, 200, 200]
    assert statuses[-1] == 429
