"""An admin invites a member, then narrows them to viewer.

The invitee is bravo's fixture member, an existing account: they accept
alpha's invitation with their password. Everything runs through the
browser against the real server, so the membership is committed; the
test removes it again through the members screen, whatever happens.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


def _sign_in(page, web_server, host: str, email: str) -> None:
    page.goto(web_server.url(host, "/sign-in/"))
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def _row(page, email: str):
    return page.locator(f'tr[data-member="{email}"]')


def test_admin_invites_then_narrows_a_member_to_viewer(
    browser, page, web_server, two_tenants, smtp_server
) -> None:
    alpha, bravo = two_tenants
    invitee_email = bravo.member_email
    admin = page
    _sign_in(admin, web_server, alpha.host, alpha.member_email)
    try:
        admin.goto(web_server.url(alpha.host, "/members/"))
        admin.fill("#id_email", invitee_email)
        admin.select_option("#id_role", "admin")
        with admin.expect_navigation():
            admin.click("form.invite button[type=submit]")
        assert f"Invitation sent to {invitee_email}." in admin.content()

        link = smtp_server.link_in(smtp_server.wait_for(invitee_email))
        token = re.search(r"/invitations/([\w-]+)/", link)
        assert token is not None, link
        invitee = browser.new_context().new_page()
        invitee.goto(web_server.url(alpha.host, f"/invitations/{token.group(1)}/"))
        invitee.fill("#id_password", PASSWORD)
        with invitee.expect_navigation():
            invitee.click("main button[type=submit]")
        _sign_in(invitee, web_server, alpha.host, invitee_email)

        invitee.goto(web_server.url(alpha.host, "/contacts/"))
        invitee.click("text=Alpha Ada")
        detail_url = invitee.url
        assert invitee.locator("a.button", has_text="Edit").count() == 1

        admin.goto(web_server.url(alpha.host, "/members/"))
        row = _row(admin, invitee_email)
        row.locator("select[name=role]").select_option("viewer")
        with admin.expect_navigation():
            row.locator("text=Change role").click()
        assert "Role changed." in admin.content()

        invitee.goto(detail_url)
        assert invitee.locator("h1").inner_text() == "Alpha Ada"
        assert invitee.locator("a.button", has_text="Edit").count() == 0
        csrf = next(
            c["value"]
            for c in invitee.context.cookies()
            if c["name"].endswith("opsyn-csrf")
        )
        # The page no longer offers the form; post it by hand, from the page.
        status = invitee.evaluate(
            """async ([url, token]) => (await fetch(url, {
                method: "POST",
                headers: {"Content-Type": "application/x-www-form-urlencoded"},
                body: "name=Taken+over&csrfmiddlewaretoken=" + token,
            })).status""",
            [detail_url + "edit/", csrf],
        )
        assert status == 403
        invitee.goto(detail_url)
        assert invitee.locator("h1").inner_text() == "Alpha Ada"
        invitee.context.close()
    finally:
        admin.goto(web_server.url(alpha.host, "/members/"))
        row = _row(admin, invitee_email)
        if row.count():
            with admin.expect_navigation():
                row.locator("button", has_text="Remove").click()
        assert _row(admin, invitee_email).count() == 0
