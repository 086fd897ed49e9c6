"""The members screen: roles, module flags, suspension, removal, roles."""

from __future__ import annotations

import pytest

from shared_apps.sessions.models import Session
from tenant_apps.access.models import MemberModuleFlag, Role
from tenant_apps.members.models import Membership

pytestmark = pytest.mark.django_db


def test_admins_see_members_with_role_last_sign_in_and_two_factor(
    make_member, signed_in
) -> None:
    admin = make_member("admin")
    viewer = make_member("viewer", email="vera@alpha.example.com")

    body = signed_in(admin).get("/members/").content.decode()

    assert "vera@alpha.example.com" in body
    row = body[body.index('data-member="vera@alpha.example.com"') :]
    row = row[: row.index("</tr>")]
    assert 'value="viewer" selected' in row
    assert "never" in row  # has not signed in yet
    assert "<td>off</td>" in row  # no authenticator confirmed
    assert Membership.objects.get(pk=viewer.pk).role == "viewer"


def test_non_admins_cannot_open_or_use_the_members_screen(
    make_member, signed_in
) -> None:
    target = make_member("viewer")
    client = signed_in(make_member("contributor"))

    assert client.get("/members/").status_code == 403
    response = client.post(f"/members/{target.pk}/role/", {"role": "admin"})
    assert response.status_code == 403
    assert Membership.objects.get(pk=target.pk).role == "viewer"


def test_an_admin_changes_a_role_and_the_last_admin_cannot_be_demoted(
    make_member, signed_in
) -> None:
    admin = make_member("admin")
    member = make_member("viewer")
    client = signed_in(admin)

    assert (
        client.post(f"/members/{member.pk}/role/", {"role": "contributor"}).status_code
        == 302
    )
    assert Membership.objects.get(pk=member.pk).role == "contributor"

    # alpha's fixture admin is the only other admin; demote it, then try self.
    fixture_admin = Membership.objects.exclude(pk__in=[admin.pk, member.pk]).get(
        role="admin"
    )
    client.post(f"/members/{fixture_admin.pk}/role/", {"role": "viewer"})
    refused = client.post(f"/members/{admin.pk}/role/", {"role": "viewer"})
    assert refused.status_code == 409
    assert "at least one active admin" in refused.content.decode()
    assert Membership.objects.get(pk=admin.pk).role == "admin"

    unknown = client.post(f"/members/{member.pk}/role/", {"role": "overlord"})
    assert unknown.status_code == 400
    assert "Role &#x27;overlord&#x27; does not exist." in unknown.content.decode()


def test_module_flags_toggle_per_member(make_member, signed_in) -> None:
    member = make_member("viewer")
    client = signed_in(make_member("admin"))

    client.post(f"/members/{member.pk}/module/", {"module": "contacts", "enabled": "0"})
    assert MemberModuleFlag.objects.get(user_id=member.user_id).enabled is False
    assert signed_in(member).get("/contacts/").status_code == 404

    client.post(f"/members/{member.pk}/module/", {"module": "contacts", "enabled": "1"})
    assert signed_in(member).get("/contacts/").status_code == 200

    refused = client.post(
        f"/members/{member.pk}/module/", {"module": "organisation", "enabled": "0"}
    )
    assert refused.status_code == 400


def test_removing_a_member_ends_their_sessions_on_this_organisation_only(
    make_member, signed_in, two_tenants
) -> None:
    alpha, bravo = two_tenants
    member = make_member("viewer")
    member_client = signed_in(member)
    Session.objects.create(
        session_key="elsewhere-session-key-0000000000",
        session_data="",
        expire_date="2099-01-01T00:00:00Z",
        host=bravo.host,
        user_id=member.user_id,
    )
    assert Session.objects.filter(user_id=member.user_id, host=alpha.host).exists()

    response = signed_in(make_member("admin")).post(f"/members/{member.pk}/remove/")

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert not Session.objects.filter(user_id=member.user_id, host=alpha.host).exists()
    assert Session.objects.filter(user_id=member.user_id, host=bravo.host).exists()
    assert member_client.get("/contacts/").status_code == 302  # back to sign-in


def test_suspending_a_member_locks_them_out_at_once(make_member, signed_in) -> None:
    member = make_member("contributor")
    member_client = signed_in(member)
    admin_client = signed_in(make_member("admin"))

    assert admin_client.post(f"/members/{member.pk}/suspend/").status_code == 302
    assert member_client.get("/contacts/").status_code == 302
    assert "Suspended" in admin_client.get("/members/").content.decode()


def test_custom_roles_are_composed_edited_and_deleted_when_unused(
    make_member, signed_in
) -> None:
    client = signed_in(make_member("admin"))
    form = {
        "name": "Auditor",
        "description": "Reads the audit log",
        "grant__contacts.contact__view": "own",
        "grant__audit.event__view": "all",
    }
    assert client.post("/roles/new/", form).status_code == 302
    role = Role.objects.get(key="auditor")
    assert {(g.entity, g.action, g.scope) for g in role.grants.all()} == {
        ("contacts.contact", "view", "own"),
        ("audit.event", "view", "all"),
    }
    matrix = client.get("/roles/").content.decode()
    assert "Auditor" in matrix and 'id="role-auditor"' in matrix

    form["grant__contacts.contact__view"] = "all"
    assert client.post("/roles/auditor/edit/", form).status_code == 302
    assert role.grants.get(entity="contacts.contact").scope == "all"

    holder = make_member("auditor")
    client.post("/roles/auditor/delete/")
    assert Role.objects.filter(key="auditor").exists()
    assert "still hold" in client.get("/roles/").content.decode()

    holder.role = "viewer"
    holder.save()
    client.post("/roles/auditor/delete/")
    assert not Role.objects.filter(key="auditor").exists()


def test_presets_cannot_be_edited_or_deleted(make_member, signed_in) -> None:
    client = signed_in(make_member("admin"))

    assert client.get("/roles/viewer/edit/").status_code == 404
    client.post("/roles/admin/delete/")
    assert (
        "Preset roles cannot be changed or deleted."
        in client.get("/roles/").content.decode()
    )


def test_own_scope_on_an_entity_without_owners_is_refused(
    make_member, signed_in
) -> None:
    client = signed_in(make_member("admin"))
    response = client.post(
        "/roles/new/", {"name": "Odd", "grant__audit.event__view": "own"}
    )
    assert response.status_code == 400
    assert not Role.objects.filter(key="odd").exists()


def test_an_admin_invites_resends_and_revokes_from_the_members_screen(
    make_member, signed_in, mailbox
) -> None:
    from tenant_apps.invitations.models import Invitation

    client = signed_in(make_member("admin"))

    response = client.post(
        "/members/invite/", {"email": "Newcomer@Example.com", "role": "contributor"}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="newcomer@example.com")
    assert invitation.role == "contributor"
    assert "newcomer@example.com" in client.get("/members/").content.decode()

    bad = client.post("/members/invite/", {"email": "not-an-address", "role": "viewer"})
    assert bad.status_code == 400
    assert "Enter a valid email address." in bad.content.decode()

    assert (
        client.post(f"/members/invitations/{invitation.pk}/resend/").status_code == 302
    )
    assert (
        client.post(f"/members/invitations/{invitation.pk}/revoke/").status_code == 302
    )
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert "No pending invitations." in client.get("/members/").content.decode()


def test_an_invitation_may_offer_a_custom_role_which_then_cannot_be_deleted(
    make_member, signed_in, mailbox
) -> None:
    from tenant_apps.invitations.models import Invitation

    client = signed_in(make_member("admin"))
    client.post("/roles/new/", {"name": "Auditor", "grant__audit.event__view": "all"})

    response = client.post(
        "/members/invite/", {"email": "aud@example.com", "role": "auditor"}
    )

    assert response.status_code == 302
    assert Invitation.objects.get(email="aud@example.com").role == "auditor"
    client.post("/roles/auditor/delete/")
    assert Role.objects.filter(key="auditor").exists()
    assert "open invitation offer" in client.get("/roles/").content.decode()


def test_an_unknown_role_is_refused_for_invitations_and_members(in_alpha) -> None:
    from opsyn.errors import InvalidInput
    from shared_apps.accounts.models import User
    from tenant_apps.invitations.services import invite_member
    from tenant_apps.members.services import add_member

    someone = User.objects.create_user("someone@example.com", "x" * 16)
    with pytest.raises(InvalidInput, match="'nope' does not exist"):
        invite_member(actor=someone, email="x@example.com", role="nope")
    with pytest.raises(InvalidInput, match="'nope' does not exist"):
        add_member(actor="test", user=someone, role="nope")

    Role.objects.create(key="auditor", name="Auditor")
    membership = add_member(actor="test", user=someone, role="auditor")
    assert membership.role == "auditor"
