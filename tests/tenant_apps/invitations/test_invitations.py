"""Invitations: the link, sign-up with verification, existing accounts."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client

from opsyn.errors import Conflict
from shared_apps.accounts.models import User
from shared_apps.accounts.services import create_user
from shared_apps.tenants.activation import tenant_scope
from tenant_apps.invitations.models import Invitation
from tenant_apps.invitations.selectors import pending_invitations
from tenant_apps.invitations.services import (
    invite_member,
    resend_invitation,
    revoke_invitation,
)
from tenant_apps.members.models import Membership
from tests.shared_apps.accounts.support import PASSWORD, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "saffron kettle orbit lagoon"


def _admin(fixture) -> User:
    return User.objects.get(email=fixture.member_email)


def _invite(fixture, email: str, capture, role: str = "contributor") -> Invitation:
    with tenant_scope(fixture.tenant), capture(execute=True):
        return invite_member(actor=_admin(fixture), email=email, role=role)


def test_a_new_person_signs_up_verifies_and_becomes_a_member(
    two_tenants, mailbox, django_capture_on_commit_callbacks
) -> None:
    alpha, _ = two_tenants
    invitation = _invite(
        alpha, "Newcomer@Example.com", django_capture_on_commit_callbacks
    )
    mail = mailbox.wait_for("newcomer@example.com")
    assert f"Join {alpha.tenant.name} on OpSyn" == mail["Subject"]
    client = Client(HTTP_HOST=alpha.host)
    accept_path = urlsplit(mailbox.link_in(mail)).path

    weak = client.post(
        accept_path,
        {"full_name": "New Comer", "password1": "alpha2024", "password2": "alpha2024"},
    )
    assert weak.status_code == 400
    assert "too short" in weak.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            accept_path,
            {
                "full_name": "New Comer",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )
    assert (
        "We sent a confirmation link to newcomer@example.com" in page.content.decode()
    )
    assert sign_in(client, "newcomer@example.com", NEW_PASSWORD).status_code == 200

    verify_path = urlsplit(
        mailbox.link_in(mailbox.wait_for("newcomer@example.com"))
    ).path
    assert verify_path.startswith("/verify-email/")
    assert client.get(verify_path).status_code == 200
    done = client.post(verify_path)

    assert done.status_code == 302
    with tenant_scope(alpha.tenant):
        user = User.objects.get(email="newcomer@example.com")
        membership = Membership.objects.get(user_id=user.pk)
        invitation.refresh_from_db()
    assert membership.role == "contributor"
    assert invitation.accepted_at is not None
    assert (
        sign_in(
            Client(HTTP_HOST=alpha.host), "newcomer@example.com", NEW_PASSWORD
        ).status_code
        == 302
    )
    # Both links are single-use.
    assert client.post(verify_path).status_code == 400
    assert client.get(accept_path).status_code == 404


def test_an_existing_account_accepts_with_its_password(
    two_tenants, mailbox, django_capture_on_commit_callbacks
) -> None:
    alpha, _ = two_tenants
    existing = create_user(
        actor="test", email="known@example.com", password=PASSWORD, email_verified=True
    )
    _invite(
        alpha, "KNOWN@example.com", django_capture_on_commit_callbacks, role="viewer"
    )
    path = urlsplit(mailbox.link_in(mailbox.wait_for("known@example.com"))).path
    client = Client(HTTP_HOST=alpha.host)

    assert "You already have an OpSyn account" in client.get(path).content.decode()
    wrong = client.post(path, {"password": "not my password"})
    assert "Please enter a correct email and password" in wrong.content.decode()
    done = client.post(path, {"password": PASSWORD})

    assert done.status_code == 302
    with tenant_scope(alpha.tenant):
        assert Membership.objects.get(user_id=existing.pk).role == "viewer"


def test_resending_replaces_the_link_and_revoking_kills_it(
    two_tenants, mailbox, django_capture_on_commit_callbacks
) -> None:
    alpha, _ = two_tenants
    invitation = _invite(alpha, "twice@example.com", django_capture_on_commit_callbacks)
    first = urlsplit(mailbox.link_in(mailbox.wait_for("twice@example.com"))).path
    with tenant_scope(alpha.tenant), django_capture_on_commit_callbacks(execute=True):
        resend_invitation(actor=_admin(alpha), invitation_id=invitation.pk)
    mailbox.wait_for("twice@example.com")
    second = urlsplit(mailbox.link_in(mailbox.messages[-1])).path
    client = Client(HTTP_HOST=alpha.host)

    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200

    with tenant_scope(alpha.tenant):
        revoke_invitation(actor=_admin(alpha), invitation_id=invitation.pk)
        assert not pending_invitations().filter(pk=invitation.pk).exists()
    assert client.get(second).status_code == 404


def test_an_invitation_link_works_only_on_its_organisations_host(
    two_tenants, mailbox, django_capture_on_commit_callbacks
) -> None:
    alpha, bravo = two_tenants
    _invite(alpha, "hostbound@example.com", django_capture_on_commit_callbacks)
    path = urlsplit(mailbox.link_in(mailbox.wait_for("hostbound@example.com"))).path

    assert Client(HTTP_HOST=bravo.host).get(path).status_code == 404


def test_inviting_a_member_or_an_open_address_twice_is_refused(
    two_tenants, django_capture_on_commit_callbacks
) -> None:
    alpha, _ = two_tenants
    _invite(alpha, "once@example.com", django_capture_on_commit_callbacks)
    with tenant_scope(alpha.tenant):
        with pytest.raises(Conflict, match="already has an open invitation"):
            invite_member(actor=_admin(alpha), email="ONCE@example.com", role="viewer")
        with pytest.raises(Conflict, match="already a member"):
            invite_member(actor=_admin(alpha), email=alpha.member_email, role="viewer")


def test_verification_resends_are_rate_limited(
    two_tenants, mailbox, django_capture_on_commit_callbacks
) -> None:
    create_user(actor="test", email="slow@example.com", password=PASSWORD)
    alpha, _ = two_tenants
    client = Client(HTTP_HOST=alpha.host)
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            statuses.append(
                client.post(
                    "/verify-email/resend/", {"email": "slow@example.com"}
                ).status_code
            )

    assert statuses == [302, 302, 302, 429]
    assert len(mailbox.messages) == 3
