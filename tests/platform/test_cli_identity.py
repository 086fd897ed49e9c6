"""``opsyn identity``: an operator ends any session and lifts a lock."""

from __future__ import annotations

import pytest
from django.test import Client

from opsyn.cli import main
from shared_apps.accounts import signin
from shared_apps.sessions.models import Session
from tests.shared_apps.accounts.support import code, new_member, session_cookie, sign_in

pytestmark = pytest.mark.django_db


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_an_operator_lists_and_ends_any_session(two_tenants, capsys) -> None:
    alpha, _ = two_tenants
    key = b"cli-cli-cli-cli-cli-"
    member = new_member(alpha, totp_key=key)
    client = Client(HTTP_HOST=alpha.host)
    sign_in(client, member.email)
    client.post("/sign-in/second-factor/", {"code": code(key)})
    public_id = str(Session.objects.get(session_key=session_cookie(client)).public_id)

    status, out, _ = run(capsys, "identity", "sessions", member.email.upper())
    assert status == 0 and public_id in out and alpha.host in out

    status, out, _ = run(capsys, "identity", "end-session", public_id)
    assert status == 0 and f"ended session {public_id}" in out
    assert client.get("/contacts/").status_code == 302

    status, _, err = run(capsys, "identity", "end-session", public_id)
    assert status == 1
    assert err.strip() == "opsyn: That session does not exist or has already ended."


def test_an_operator_lifts_a_lock(two_tenants, capsys) -> None:
    alpha, _ = two_tenants
    member = new_member(alpha)
    from shared_apps.security import throttle

    throttle._client().set(throttle.account_scope(member.email).lock, "1", ex=900)
    assert signin.is_locked(member.email)

    status, out, _ = run(capsys, "identity", "unlock", f" {member.email.upper()} ")

    assert status == 0 and "is unlocked" in out
    assert not signin.is_locked(member.email)


def test_unlocking_an_address_no_account_uses_is_refused(capsys) -> None:
    status, out, err = run(capsys, "identity", "unlock", "nobody@example.com")

    assert status == 1 and out == ""
    assert err.strip() == (
        "opsyn: No account uses 'nobody@example.com'; there is nothing to unlock."
    )


def test_an_operator_invites_a_new_organisations_first_admin(
    capsys, mailbox, unique_slug, django_capture_on_commit_callbacks
) -> None:
    from shared_apps.tenants import services
    from shared_apps.tenants.activation import tenant_scope
    from tenant_apps.invitations.models import Invitation

    tenant = services.provision_tenant(
        actor="test",
        name="Fresh Org",
        slug=unique_slug,
        domain=f"{unique_slug}.localhost",
    )

    with django_capture_on_commit_callbacks(execute=True):
        status, out, _ = run(
            capsys, "identity", "invite-admin", unique_slug, "Boss@Example.com"
        )

    assert status == 0 and "invited boss@example.com as admin" in out
    mail = mailbox.wait_for("boss@example.com")
    assert f"http://{unique_slug}.localhost/invitations/" in mailbox.link_in(mail)
    with tenant_scope(tenant):
        assert Invitation.objects.get().role == "admin"
    status, _, err = run(
        capsys, "identity", "invite-admin", unique_slug, "boss@example.com"
    )
    assert status == 1 and "already has an open invitation" in err
