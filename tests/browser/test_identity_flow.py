"""The whole identity flow in Chromium, against the running server.

Invitation → sign-up → verify from the received email → enrol TOTP with a
code computed from the shown secret → sign out → sign in with a code → see
the session list → end another session.
"""

from __future__ import annotations

import uuid

import pytest

from tests.shared_apps.accounts.support import code_from_secret

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

PASSWORD = "periwinkle anchor sonata ninety"


def _invite(alpha, email: str) -> None:
    from shared_apps.accounts.models import User
    from shared_apps.tenants.activation import tenant_scope
    from tenant_apps.invitations.services import invite_member

    admin = User.objects.get(email=alpha.member_email)
    with tenant_scope(alpha.tenant):
        invite_member(actor=admin, email=email, role="contributor")


def _forget(email: str) -> None:
    from shared_apps.accounts.models import User

    User.objects.filter(email=email).delete()


def test_invited_person_signs_up_enrols_and_manages_sessions(
    browser, page, web_server, two_tenants, mailbox, settings
) -> None:
    alpha, _ = two_tenants
    email = f"browser.{uuid.uuid4().hex[:8]}@example.com"
    settings.OPSYN_PUBLIC_PORT = str(web_server.port)
    # The server must see the invitation, so it is committed on a
    # connection of its own, outside the test's transaction.
    _committed(lambda: _invite(alpha, email))
    try:
        _run_flow(browser, page, web_server, alpha, email, mailbox)
    finally:
        _committed(lambda: _forget(email))


def _committed(work) -> None:
    import threading

    from django.db import connections

    failures: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def _run_flow(browser, page, web_server, alpha, email, mailbox) -> None:
    invitation = mailbox.wait_for(email)
    page.goto(mailbox.link_in(invitation))
    assert page.locator("h1").inner_text() == f"Join {alpha.tenant.name}"
    page.fill("#id_full_name", "Browser Person")
    page.fill("#id_password1", "alpha alpha alpha")
    page.fill("#id_password2", "alpha alpha alpha")
    page.click("main button[type=submit]")
    assert (
        "too similar to your organisation's name" in page.locator("main").inner_text()
    )
    page.fill("#id_full_name", "Browser Person")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("main button[type=submit]")
    assert page.locator("h1").inner_text() == "Check your email"

    verification = mailbox.wait_for(email)
    assert verification["Subject"] == "Confirm your email address"
    page.goto(mailbox.link_in(verification))
    page.click("text=Confirm my email address")
    assert "You are now a member of" in page.locator(".messages").inner_text()

    _password_step(page, web_server, alpha, email)
    assert page.url == web_server.url(alpha.host, "/account/two-factor/enrol/")
    assert page.locator(".qr svg").count() == 1
    secret = page.locator("#totp-secret").inner_text()
    assert f"otpauth://totp/OpSyn:{email}" in page.locator("#totp-uri").inner_text()
    page.fill("#id_code", code_from_secret(secret))
    page.click("main form.stack button[type=submit]")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10

    page.click("header button[type=submit]")  # sign out
    assert page.locator("h1").inner_text().startswith("Sign in to")

    _password_step(page, web_server, alpha, email)
    assert page.locator("h1").inner_text() == "Enter your code"
    # The enrolment used this step's code; the next step's is still valid.
    page.fill("#id_code", code_from_secret(secret, 1))
    page.click("main button[type=submit]")
    page.goto(web_server.url(alpha.host, "/account/sessions/"))
    assert page.locator("tbody tr").count() == 1
    assert "This session" in page.locator("tbody").inner_text()

    other = browser.new_context().new_page()
    other.set_default_timeout(15000)
    _password_step(other, web_server, alpha, email)
    other.fill("#id_code", codes[0])  # a recovery code, once
    other.click("main button[type=submit]")
    other.goto(web_server.url(alpha.host, "/contacts/"))
    assert other.url == web_server.url(alpha.host, "/contacts/")

    page.reload()
    assert page.locator("tbody tr").count() == 2
    page.click("tbody tr:not(:has(strong)) button")
    assert "The session is ended." in page.locator(".messages").inner_text()
    assert page.locator("tbody tr").count() == 1

    other.goto(web_server.url(alpha.host, "/contacts/"))
    assert "/sign-in/" in other.url
    other.context.close()


def _password_step(page, web_server, alpha, email: str) -> None:
    page.goto(web_server.url(alpha.host, "/sign-in/"))
    page.fill("#id_username", email.upper())
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
