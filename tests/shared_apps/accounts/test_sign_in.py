"""Signing in: one refusal for every failure, throttles, lockout, recovery."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client

from shared_apps.accounts.services import create_user
from shared_apps.accounts.signin import REFUSAL
from shared_apps.sessions.models import Session
from shared_apps.sessions.store import SessionStore
from tests.shared_apps.accounts.support import (
    PASSWORD,
    code,
    new_member,
    session_cookie,
    sign_in,
)

pytestmark = pytest.mark.django_db


def test_no_account_wrong_password_and_non_member_read_the_same(two_tenants) -> None:
    alpha, bravo = two_tenants
    member = new_member(alpha)
    outsider = new_member(bravo)

    answers = [
        sign_in(Client(HTTP_HOST=alpha.host), "nobody@example.com"),
        sign_in(Client(HTTP_HOST=alpha.host), member.email, "wrong " * 3),
        sign_in(Client(HTTP_HOST=alpha.host), outsider.email),
    ]

    assert {a.status_code for a in answers} == {200}
    # Apart from the echoed address and the CSRF token, the pages are equal.
    emails = ["nobody@example.com", member.email, outsider.email]
    bodies = [
        _without_token(a.content.decode()).replace(email, "EMAIL")
        for a, email in zip(answers, emails, strict=True)
    ]
    assert REFUSAL in bodies[0]
    assert bodies[0] == bodies[1] == bodies[2]


def test_a_member_without_two_factor_where_it_is_optional_signs_in(
    two_tenants, settings
) -> None:
    alpha, _ = two_tenants
    member = new_member(alpha)
    from shared_apps.tenants.activation import tenant_scope
    from tenant_apps.identity_settings.models import IdentitySettings

    with tenant_scope(alpha.tenant):
        IdentitySettings.objects.create(two_factor_policy="optional")
    client = Client(HTTP_HOST=alpha.host)

    response = sign_in(client, member.email.upper())

    assert response.status_code == 302
    assert client.get("/contacts/").status_code == 200


def test_an_unverified_account_cannot_sign_in_and_is_told_why(two_tenants) -> None:
    alpha, _ = two_tenants
    user = create_user(actor="test", email="fresh@example.com", password=PASSWORD)
    from shared_apps.tenants.activation import tenant_scope
    from tenant_apps.members.services import add_member

    with tenant_scope(alpha.tenant):
        add_member(actor="test", user=user, role="viewer")
    client = Client(HTTP_HOST=alpha.host)

    response = sign_in(client, "fresh@example.com")

    assert response.status_code == 200
    assert "Confirm your email address first" in response.content.decode()
    assert client.get("/contacts/").status_code == 302


def test_a_member_required_to_use_two_factor_is_sent_to_enrolment(two_tenants) -> None:
    alpha, _ = two_tenants
    member = new_member(alpha)
    client = Client(HTTP_HOST=alpha.host)

    sign_in(client, member.email)
    response = client.get("/contacts/")

    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/enrol/"
    assert client.get("/account/sessions/")["Location"] == "/account/two-factor/enrol/"
    assert client.get("/account/two-factor/enrol/").status_code == 200


def test_the_session_key_rotates_at_password_and_again_at_second_factor(
    two_tenants,
) -> None:
    alpha, _ = two_tenants
    key = b"rotate-rotate-rotate"
    member = new_member(alpha, totp_key=key)
    client = Client(HTTP_HOST=alpha.host)
    anonymous = SessionStore(host=alpha.host)
    anonymous["visited"] = True
    anonymous.save()
    client.cookies["opsyn-session"] = str(anonymous.session_key)
    before = session_cookie(client)

    response = sign_in(client, member.email)
    after_password = session_cookie(client)
    assert response["Location"] == "/sign-in/second-factor/"
    # Between the steps nothing is reachable.
    assert client.get("/contacts/").status_code == 302

    response = client.post("/sign-in/second-factor/", {"code": code(key)})
    after_code = session_cookie(client)

    assert response.status_code == 302
    assert len({before, after_password, after_code}) == 3
    assert not Session.objects.filter(session_key__in=[before, after_password]).exists()
    assert client.get("/contacts/").status_code == 200


def test_a_wrong_second_factor_code_is_refused(two_tenants) -> None:
    alpha, _ = two_tenants
    key = b"wrong-code-wrong-cod"
    member = new_member(alpha, totp_key=key)
    client = Client(HTTP_HOST=alpha.host)
    sign_in(client, member.email)

    response = client.post("/sign-in/second-factor/", {"code": "000000"})

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get("/contacts/").status_code == 302


def _skip_short_delay(email: str) -> None:
    """Let a growing delay pass at once, keeping the failure count."""
    from shared_apps.security import throttle

    scope = throttle.account_scope(email)
    if throttle._client().ttl(scope.lock) <= 60:
        throttle._client().delete(scope.lock)


def _fail(host: str, email: str, ip: str, **extra):
    client = Client(HTTP_HOST=host, REMOTE_ADDR=ip, **extra)
    return sign_in(client, email, "wrong password " * 2)


def test_failures_bring_delays_then_a_fifteen_minute_lock(two_tenants) -> None:
    alpha, _ = two_tenants
    member = new_member(alpha)

    statuses = []
    for attempt in range(10):
        statuses.append(
            _fail(alpha.host, member.email, f"10.0.0.{attempt}").status_code
        )
        if 4 <= attempt < 9:
            # From the fifth failure on, the next try must wait a little.
            delayed = _fail(alpha.host, member.email, "10.9.9.9")
            assert delayed.status_code == 429
            assert int(delayed["Retry-After"]) <= 60
            _skip_short_delay(member.email)

    locked = sign_in(Client(HTTP_HOST=alpha.host, REMOTE_ADDR="10.1.1.1"), member.email)

    assert statuses[:4] == [200, 200, 200, 200]
    assert locked.status_code == 429
    assert 14 * 60 < int(locked["Retry-After"]) <= 15 * 60
    assert "Too many attempts. Try again in 15 minutes" in locked.content.decode()


def test_the_lock_follows_the_address_in_any_case_or_spacing(two_tenants) -> None:
    alpha, _ = two_tenants
    member = new_member(alpha)
    variants = [member.email, member.email.upper(), f"  {member.email.title()} "]
    for attempt in range(10):
        _fail(alpha.host, variants[attempt % 3], f"10.0.1.{attempt}")
        _skip_short_delay(member.email)

    response = sign_in(Client(HTTP_HOST=alpha.host), member.email.swapcase())

    assert response.status_code == 429


def test_a_locked_unknown_address_looks_like_a_locked_account(two_tenants) -> None:
    alpha, _ = two_tenants
    member = new_member(alpha)
    for email in (member.email, "ghost@example.com"):
        for attempt in range(10):
            _fail(alpha.host, email, f"10.0.2.{attempt}")
            _skip_short_delay(email)

    real = sign_in(Client(HTTP_HOST=alpha.host), member.email)
    ghost = sign_in(Client(HTTP_HOST=alpha.host), "ghost@example.com")

    assert real.status_code == ghost.status_code == 429
    assert real.content == ghost.content


def test_many_accounts_failing_from_one_ip_throttle_that_ip(
    two_tenants, settings
) -> None:
    alpha, _ = two_tenants
    settings.OPSYN_SIGNIN_IP_LIMIT = 5
    member = new_member(alpha)
    for n in range(5):
        _fail(alpha.host, f"guess{n}@example.com", "203.0.113.7")

    from_attacker = sign_in(
        Client(HTTP_HOST=alpha.host, REMOTE_ADDR="203.0.113.7"), member.email
    )
    from_member = sign_in(
        Client(HTTP_HOST=alpha.host, REMOTE_ADDR="198.51.100.1"), member.email
    )

    assert from_attacker.status_code == 429
    assert from_member.status_code == 302


def test_a_forged_forwarded_for_header_neither_dodges_nor_frames(
    two_tenants, settings
) -> None:
    alpha, _ = two_tenants
    settings.OPSYN_TRUSTED_PROXIES = 1
    settings.OPSYN_SIGNIN_IP_LIMIT = 5
    member = new_member(alpha)
    # One trusted proxy appends the real client; anything before it is the
    # client's own claim. Rotating the claim must not reset the count.
    for n in range(5):
        _fail(
            alpha.host,
            f"guess{n}@example.com",
            "10.10.10.10",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9",
        )

    attacker = sign_in(
        Client(
            HTTP_HOST=alpha.host,
            REMOTE_ADDR="10.10.10.10",
            HTTP_X_FORWARDED_FOR="192.0.2.200, 203.0.113.9",
        ),
        member.email,
    )
    framed = sign_in(
        Client(
            HTTP_HOST=alpha.host,
            REMOTE_ADDR="10.10.10.10",
            HTTP_X_FORWARDED_FOR="192.0.2.1",
        ),
        member.email,
    )

    assert attacker.status_code == 429
    # The victim's address was only ever claimed, never counted.
    assert framed.status_code == 302


def test_a_locked_out_victim_recovers_by_resetting_the_password(
    two_tenants, mailbox, django_capture_on_commit_callbacks
) -> None:
    alpha, _ = two_tenants
    victim = new_member(alpha)
    for attempt in range(10):
        _fail(alpha.host, victim.email, f"10.0.3.{attempt}")
        _skip_short_delay(victim.email)
    client = Client(HTTP_HOST=alpha.host)
    assert sign_in(client, victim.email).status_code == 429

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/password/forgotten/", {"email": victim.email})
    link = mailbox.link_in(mailbox.wait_for(victim.email))
    path = urlsplit(link).path
    new_password = "quiet harbour violin seventeen"
    done = client.post(path, {"password1": new_password, "password2": new_password})

    assert done.status_code == 302
    assert (
        sign_in(Client(HTTP_HOST=alpha.host), victim.email, new_password).status_code
        == 302
    )
    # The link works once.
    again = client.post(path, {"password1": new_password, "password2": new_password})
    assert again.status_code == 400


def test_an_admin_lifts_a_lock_from_the_members_sessions_screen(two_tenants) -> None:
    alpha, _ = two_tenants
    victim = new_member(alpha)
    for attempt in range(10):
        _fail(alpha.host, victim.email, f"10.0.4.{attempt}")
        _skip_short_delay(victim.email)
    admin = Client(HTTP_HOST=alpha.host)
    sign_in(admin, alpha.member_email, _fixture_password())

    screen = admin.get("/members/sessions/").content.decode()
    assert "Sign-in is locked" in screen
    admin.post("/members/sessions/", {"unlock": victim.email})

    assert sign_in(Client(HTTP_HOST=alpha.host), victim.email).status_code == 302


def test_sign_in_fails_closed_when_redis_is_down(two_tenants, monkeypatch) -> None:
    import redis

    from shared_apps.security import throttle

    alpha, _ = two_tenants
    member = new_member(alpha)
    nowhere = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    monkeypatch.setattr(throttle, "_client", lambda: nowhere)

    response = sign_in(Client(HTTP_HOST=alpha.host), member.email)

    assert response.status_code == 503
    assert "briefly unavailable" in response.content.decode()
    assert response["Retry-After"]


def _fixture_password() -> str:
    from tests.conftest import PASSWORD as FIXTURE_PASSWORD

    return FIXTURE_PASSWORD


def _without_token(body: str) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_every_refusal_costs_exactly_one_password_hash(
    two_tenants, monkeypatch
) -> None:
    from django.contrib.auth.hashers import get_hasher

    alpha, bravo = two_tenants
    member = new_member(alpha)
    outsider = new_member(bravo)
    hasher = type(get_hasher())
    calls: list[str] = []
    original = hasher.verify

    def counting(self, password, encoded):
        calls.append(password)
        return original(self, password, encoded)

    monkeypatch.setattr(hasher, "verify", counting)
    for email, password in (
        ("nobody@example.com", PASSWORD),
        (member.email, "wrong " * 3),
        (outsider.email, PASSWORD),
    ):
        calls.clear()
        sign_in(Client(HTTP_HOST=alpha.host), email, password)
        assert len(calls) == 1, email


def test_the_csrf_token_rotates_with_the_session_key(two_tenants) -> None:
    alpha, _ = two_tenants
    key = b"csrf-csrf-csrf-csrf-"
    member = new_member(alpha, totp_key=key)
    client = Client(HTTP_HOST=alpha.host)
    client.get("/sign-in/")
    tokens = [client.cookies["opsyn-csrf"].value]

    sign_in(client, member.email)
    tokens.append(client.cookies["opsyn-csrf"].value)
    client.post("/sign-in/second-factor/", {"code": code(key)})
    tokens.append(client.cookies["opsyn-csrf"].value)

    assert len(set(tokens)) == 3


def test_an_empty_password_is_named_on_the_page(two_tenants) -> None:
    alpha, _ = two_tenants
    member = new_member(alpha)

    answer = sign_in(Client(HTTP_HOST=alpha.host), member.email, "")

    body = answer.content.decode()
    assert answer.status_code == 200
    assert "Password: This field is required." in body
