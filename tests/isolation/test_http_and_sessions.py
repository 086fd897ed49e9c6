"""Tenant A's pages and sessions never show or reach tenant B's data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from shared_apps.sessions.models import Session
from shared_apps.tenants.middleware import TenantRoutingMiddleware
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, email: str) -> int:
    return client.post(
        "/sign-in/", {"username": email, "password": PASSWORD}
    ).status_code


def test_each_tenant_lists_only_its_own_contacts(two_tenants) -> None:
    for mine, theirs in (two_tenants, two_tenants[::-1]):
        client = Client(HTTP_HOST=mine.host)
        assert _sign_in(client, mine.member_email) == 302

        body = client.get("/contacts/").content.decode()

        assert all(name in body for name in mine.contact_names)
        assert not any(name in body for name in theirs.contact_names)


def test_objects_of_another_tenant_are_not_found_by_id(two_tenants) -> None:
    alpha, _bravo = two_tenants
    client = Client(HTTP_HOST=alpha.host)
    _sign_in(client, alpha.member_email)
    # Both schemas number their contacts from 1; an id names a row only in
    # the schema of the host it is asked on.
    assert "Alpha Ada" in client.get("/contacts/1/").content.decode()
    assert client.get("/contacts/99/").status_code == 404


def test_alternating_requests_on_one_connection_use_the_right_search_path(
    two_tenants,
) -> None:
    def show_search_path(request: HttpRequest) -> HttpResponse:
        with connection.cursor() as cursor:
            cursor.execute("SHOW search_path")
            return HttpResponse(cursor.fetchone()[0])

    route = TenantRoutingMiddleware(show_search_path)
    factory = RequestFactory()
    alpha, bravo = two_tenants
    for _ in range(3):
        for fixture in (alpha, bravo, alpha, alpha, bravo):
            request = factory.get("/", HTTP_HOST=fixture.host)
            path = route(request).content.decode()
            assert path.split(",")[0].strip('" ') == fixture.tenant.schema_name
        public = route(factory.get("/", HTTP_HOST="localhost")).content.decode()
        assert public.strip('" ') == "public"


def test_a_member_of_one_tenant_cannot_sign_in_on_another(two_tenants) -> None:
    alpha, bravo = two_tenants
    client = Client(HTTP_HOST=bravo.host)

    response = client.post(
        "/sign-in/", {"username": alpha.member_email, "password": PASSWORD}
    )
    wrong_password = Client(HTTP_HOST=bravo.host).post(
        "/sign-in/", {"username": bravo.member_email, "password": "wrong" * 4}
    )

    assert response.status_code == 200
    assert "Please enter a correct email" in response.content.decode()
    # The refusal reads exactly like a wrong password: membership is not told.
    assert response.content.decode().count("Please enter a correct") == (
        wrong_password.content.decode().count("Please enter a correct")
    )
    assert client.get("/contacts/").status_code == 302


def test_a_session_made_on_one_host_is_anonymous_on_another(two_tenants) -> None:
    alpha, bravo = two_tenants
    client = Client(HTTP_HOST=alpha.host)
    _sign_in(client, alpha.member_email)
    cookie = client.cookies["opsyn-session"].value

    replay = Client(HTTP_HOST=bravo.host)
    replay.cookies["opsyn-session"] = cookie
    response = replay.get("/contacts/")

    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]
    stored = Session.objects.get(session_key=cookie)
    assert stored.host == alpha.host
    assert stored.user_id is not None


def test_signed_in_non_member_sees_no_contacts(two_tenants, django_user_model) -> None:
    alpha, _ = two_tenants
    outsider = django_user_model.objects.create_user("outsider@example.com", PASSWORD)
    client = Client(HTTP_HOST=alpha.host)
    client.force_login(outsider)

    response = client.get("/contacts/")

    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_signing_out_ends_the_session_server_side(two_tenants) -> None:
    alpha, _ = two_tenants
    client = Client(HTTP_HOST=alpha.host)
    _sign_in(client, alpha.member_email)
    cookie = client.cookies["opsyn-session"].value

    client.post("/sign-out/")

    assert not Session.objects.filter(session_key=cookie).exists()
    replay = Client(HTTP_HOST=alpha.host)
    replay.cookies["opsyn-session"] = cookie
    assert replay.get("/contacts/").status_code == 302
