"""Operators sign in on the platform host, always with a second factor."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from shared_apps.accounts.services import create_user
from tests.shared_apps.accounts.support import PASSWORD, code_from_secret, sign_in

pytestmark = pytest.mark.django_db


def test_the_console_login_is_the_platform_sign_in(two_tenants) -> None:
    response = Client(HTTP_HOST="localhost").get("/console/login/")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/console/"


def test_an_operator_must_enrol_before_reaching_the_console(two_tenants) -> None:
    create_user(
        actor="test",
        email="operator.one@example.com",
        password=PASSWORD,
        is_staff=True,
        email_verified=True,
    )
    client = Client(HTTP_HOST="localhost")

    response = client.post(
        "/sign-in/",
        {
            "username": "Operator.One@example.com",
            "password": PASSWORD,
            "next": "/console/",
        },
    )
    assert response["Location"] == "/console/"
    assert client.get("/console/")["Location"] == "/account/two-factor/enrol/"
    assert client.get("/account/sessions/")["Location"] == "/account/two-factor/enrol/"

    page = client.get("/account/two-factor/enrol/").content.decode()
    found = re.search(r'id="totp-secret">([A-Z2-7]+)<', page)
    assert found is not None
    secret = found.group(1)
    client.post("/account/two-factor/enrol/", {"code": code_from_secret(secret)})

    assert client.get("/console/").get("Location") != "/account/two-factor/enrol/"
    assert client.get("/account/sessions/").status_code == 200


def test_a_tenant_member_cannot_sign_in_on_the_platform_host(two_tenants) -> None:
    alpha, _ = two_tenants
    from tests.conftest import PASSWORD as FIXTURE_PASSWORD

    response = sign_in(
        Client(HTTP_HOST="localhost"), alpha.member_email, FIXTURE_PASSWORD
    )

    assert response.status_code == 200
    assert "Please enter a correct email and password" in response.content.decode()
