"""A person signs in on a tenant's domain and works with its contacts."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


def _sign_in(page, web_server, fixture) -> None:
    page.goto(web_server.url(fixture.host, "/contacts/"))
    page.fill("#id_username", fixture.member_email)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.url == web_server.url(fixture.host, "/contacts/")


def test_a_member_sees_their_tenants_contacts_and_no_others(
    page, web_server, two_tenants
) -> None:
    alpha, bravo = two_tenants
    page.goto(web_server.url(alpha.host, "/"))
    assert page.locator("h1").inner_text() == f"Sign in to {alpha.tenant.name}"

    _sign_in(page, web_server, alpha)

    rows = page.locator("tbody tr td:first-child").all_inner_texts()
    assert sorted(rows) == sorted(alpha.contact_names)
    assert not any(name in page.content() for name in bravo.contact_names)


def test_a_member_adds_and_edits_a_contact(page, web_server, two_tenants) -> None:
    alpha, bravo = two_tenants
    _sign_in(page, web_server, alpha)

    page.click("text=New contact")
    page.fill("#id_name", "Browser Barbara")
    page.fill("#id_email", "not-an-email")
    # Skip the browser's own check, to see the server's message.
    page.eval_on_selector("form.stack", "form => form.noValidate = true")
    page.click("main button[type=submit]")
    assert "Enter a valid email address." in page.content()
    page.fill("#id_email", "barbara@example.com")
    page.click("main button[type=submit]")
    assert page.locator("h1").inner_text() == "Browser Barbara"

    page.click("text=Edit")
    page.fill("#id_organisation", "Analytical Engines")
    page.click("main button[type=submit]")
    assert "Analytical Engines" in page.locator("dl").inner_text()

    page.goto(web_server.url(bravo.host, "/contacts/"))
    assert "Sign in to" in page.locator("h1").inner_text()


def test_the_session_cookie_is_host_only_and_http_only(
    page, web_server, two_tenants
) -> None:
    alpha, _ = two_tenants
    _sign_in(page, web_server, alpha)

    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["opsyn-session"]
    assert session["httpOnly"] is True
    assert session["domain"] == alpha.host  # no leading dot: host-only
    assert session["sameSite"] == "Lax"
