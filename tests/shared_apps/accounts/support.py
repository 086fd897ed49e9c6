"""Helpers for identity tests: members with or without an authenticator."""

from __future__ import annotations

import base64
import time
import uuid

from django.test import Client

from shared_apps.accounts import crypto, totp
from shared_apps.accounts.models import TOTPDevice, User
from shared_apps.accounts.services import create_user
from shared_apps.tenants.activation import tenant_scope
from tenant_apps.members.services import add_member

PASSWORD = "lantern orbit pickle marathon 7"


def new_member(fixture, *, role: str = "viewer", totp_key: bytes | None = None) -> User:
    """Make a verified account that is a member of a fixture tenant."""
    email = f"m{uuid.uuid4().hex[:8]}@example.com"
    user = create_user(
        actor="test", email=email, password=PASSWORD, email_verified=True
    )
    with tenant_scope(fixture.tenant):
        add_member(actor="test", user=user, role=role)
    if totp_key is not None:
        give_authenticator(user, totp_key)
    return user


def give_authenticator(user: User, key: bytes) -> TOTPDevice:
    from django.utils import timezone

    return TOTPDevice.objects.create(
        user=user, encrypted_key=crypto.encrypt(key), confirmed_at=timezone.now()
    )


def code(key: bytes, offset_steps: int = 0) -> str:
    return totp.code_for(key, totp.step_at(time.time()) + offset_steps)


def code_from_secret(secret: str, offset_steps: int = 0) -> str:
    padded = secret + "=" * (-len(secret) % 8)
    return code(base64.b32decode(padded), offset_steps)


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post("/sign-in/", {"username": email, "password": password}, **extra)


def session_cookie(client: Client) -> str:
    return client.cookies["opsyn-session"].value


def signed_in_operator(email: str, role: str = "platform_admin") -> Client:
    """Return a console client: a new operator, signed in with a second factor."""
    import re

    from shared_apps.operators.services import assign_global_role

    create_user(
        actor="test", email=email, password=PASSWORD, is_staff=True, email_verified=True
    )
    assign_global_role(actor="test", email=email, role=role)
    client = Client(HTTP_HOST="localhost")
    sign_in(client, email)
    page = client.get("/account/two-factor/enrol/").content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page)
    assert secret is not None
    client.post("/account/two-factor/enrol/", {"code": code_from_secret(secret[1])})
    return client
