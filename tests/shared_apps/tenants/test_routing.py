"""Requests reach the tenant their Host names, and nothing else."""

from __future__ import annotations

import pytest
from django.test import Client

from shared_apps.tenants import services

pytestmark = pytest.mark.django_db


def _signed_in(host: str, email: str) -> Client:
    from tests.conftest import PASSWORD

    client = Client(HTTP_HOST=host)
    response = client.post("/sign-in/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


@pytest.mark.parametrize(
    "host_form", ["{host}", "{upper}:8000", "{host}.", "{upper}.:443"]
)
def test_every_form_of_a_host_reaches_its_tenant(two_tenants, host_form: str) -> None:
    alpha, _ = two_tenants
    client = _signed_in(alpha.host, alpha.member_email)
    host = host_form.format(host=alpha.host, upper=alpha.host.upper())

    response = client.get("/contacts/", HTTP_HOST=host)

    # A session is bound to the canonical host, so all forms share it.
    assert response.status_code == 200
    assert "Alpha Ada" in response.content.decode()


def test_unknown_host_is_a_plain_404_that_names_no_tenant(two_tenants) -> None:
    response = Client(HTTP_HOST="nobody.example.test").get("/contacts/")

    assert response.status_code == 404
    body = response.content.decode()
    for fixture in two_tenants:
        assert fixture.slug not in body.lower()
        for name in fixture.contact_names:
            assert name not in body


def test_unparseable_host_is_a_404(two_tenants) -> None:
    response = Client(HTTP_HOST="bad host!").get("/")
    assert response.status_code == 404


def test_suspended_tenant_gets_a_403_page_without_data(two_tenants) -> None:
    alpha, _ = two_tenants
    client = _signed_in(alpha.host, alpha.member_email)
    services.suspend_tenant(actor="test", slug=alpha.slug)
    try:
        response = client.get("/contacts/")
    finally:
        services.resume_tenant(actor="test", slug=alpha.slug)

    assert response.status_code == 403
    assert "suspended" in response.content.decode()
    assert "Alpha Ada" not in response.content.decode()
    assert client.get("/contacts/").status_code == 200


def test_new_domain_routes_at_once_and_removed_one_stops(two_tenants) -> None:
    alpha, _ = two_tenants
    extra = "extra-alpha.example.test"
    client = Client(HTTP_HOST=extra)
    assert client.get("/sign-in/").status_code == 404  # cached as unknown

    services.add_domain(actor="test", slug=alpha.slug, domain=extra)
    assert client.get("/sign-in/").status_code == 200

    services.remove_domain(actor="test", domain=extra)
    assert client.get("/sign-in/").status_code == 404


def test_platform_host_serves_the_operator_console_not_tenant_pages(
    two_tenants,
) -> None:
    client = Client(HTTP_HOST="localhost")

    assert client.get("/contacts/").status_code == 404
    console = client.get("/console/")
    assert console.status_code == 302
    assert "/console/login/" in console["Location"]


def test_console_is_for_operators_only(two_tenants, django_user_model) -> None:
    alpha, _ = two_tenants
    from tests.conftest import PASSWORD

    client = Client(HTTP_HOST="localhost")
    client.post(
        "/console/login/", {"username": alpha.member_email, "password": PASSWORD}
    )
    assert client.get("/console/tenants/tenant/").status_code == 302

    # Operators sign in on the platform host with password and TOTP.
    from django.utils import timezone

    from tests.shared_apps.accounts.support import code, give_authenticator

    operator = django_user_model.objects.create_user(
        "op@example.com",
        PASSWORD,
        is_staff=True,
        is_superuser=True,
        email_verified_at=timezone.now(),
    )
    give_authenticator(operator, b"operator-operator-op")
    client.post("/sign-in/", {"username": "op@example.com", "password": PASSWORD})
    client.post("/sign-in/second-factor/", {"code": code(b"operator-operator-op")})
    page = client.get("/console/tenants/tenant/")
    assert page.status_code == 200
    assert alpha.slug in page.content.decode()
