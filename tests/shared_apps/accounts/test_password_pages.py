"""Password policy, change and reset, as a person sees them."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client

from shared_apps.sessions.models import Session
from tests.shared_apps.accounts.support import (
    PASSWORD,
    code,
    new_member,
    session_cookie,
    sign_in,
)

pytestmark = pytest.mark.django_db


def _signed_in(fixture, key: bytes):
    member = new_member(fixture, totp_key=key)
    client = Client(HTTP_HOST=fixture.host)
    sign_in(client, member.email)
    client.post("/sign-in/second-factor/", {"code": code(key)})
    return client, member


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (
            "short pass",
            "This password is too short: it has 10 characters and needs at least 12.",
        ),
        ("password1234", "This password is on a list of common passwords"),
        ("alpha alpha alpha", "too similar to your organisation&#x27;s name"),
        ("qwertyuiopasdfgh", "This password would be easy to guess"),
        ("x" * 300, "This password is too long: at most 256 characters."),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(
    two_tenants, password, message
) -> None:
    alpha, _ = two_tenants
    client, _ = _signed_in(alpha, b"policy-policy-policy")

    response = client.post(
        "/account/password/",
        {"current": PASSWORD, "password1": password, "password2": password},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    refusal = body.split('role="alert">', 1)[1].split("</div>", 1)[0]
    assert refusal.count("A few unrelated words") == 1


def test_a_password_like_the_email_is_refused(two_tenants) -> None:
    alpha, _ = two_tenants
    client, member = _signed_in(alpha, b"emaily-emaily-emaily")
    local = member.email.split("@")[0]

    response = client.post(
        "/account/password/",
        {
            "current": PASSWORD,
            "password1": f"{local}!{local}",
            "password2": f"{local}!{local}",
        },
    )

    assert "too similar to your email address" in response.content.decode()


def test_changing_the_password_keeps_this_session_and_ends_the_others(
    two_tenants,
) -> None:
    alpha, _ = two_tenants
    key = b"change-change-change"
    here, member = _signed_in(alpha, key)
    there = Client(HTTP_HOST=alpha.host)
    sign_in(there, member.email)
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=31)):
        there.post("/sign-in/second-factor/", {"code": code(key, 1)})
    assert there.get("/contacts/").status_code == 200
    new = "marble tundra accordion swift"

    response = here.post(
        "/account/password/", {"current": PASSWORD, "password1": new, "password2": new}
    )

    assert response.status_code == 302
    assert here.get("/contacts/").status_code == 200
    assert there.get("/contacts/").status_code == 302
    assert Session.objects.filter(user_id=member.pk).count() == 1


def test_a_reset_needs_the_second_factor_and_ends_every_session(
    two_tenants, mailbox, django_capture_on_commit_callbacks
) -> None:
    alpha, _ = two_tenants
    key = b"reset2-reset2-reset2"
    client, member = _signed_in(alpha, key)
    old_cookie = session_cookie(client)
    anonymous = Client(HTTP_HOST=alpha.host)

    with django_capture_on_commit_callbacks(execute=True):
        answer = anonymous.post("/password/forgotten/", {"email": member.email.upper()})
        unknown = anonymous.post("/password/forgotten/", {"email": "who@example.com"})
    # The page reads the same whether or not the account exists.
    assert answer.status_code == unknown.status_code == 200
    assert "If an account uses that address" in answer.content.decode()
    assert _without_token(answer) == _without_token(unknown)
    assert len(mailbox.messages) == 1
    path = urlsplit(mailbox.link_in(mailbox.wait_for(member.email))).path
    new = "glacier pepper trombone nine"

    without_code = anonymous.post(path, {"password1": new, "password2": new})
    assert "That code is not right" in without_code.content.decode()
    done = anonymous.post(
        path, {"password1": new, "password2": new, "code": code(key, 1)}
    )

    assert done.status_code == 302
    assert not Session.objects.filter(session_key=old_cookie).exists()
    assert sign_in(Client(HTTP_HOST=alpha.host), member.email, new).status_code == 302


def _without_token(response) -> str:
    import re

    return re.sub(r'value="[^"]+"', "", response.content.decode())
