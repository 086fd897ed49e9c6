"""Contact pages show and change only what the member's scope reaches."""

from __future__ import annotations

import pytest

from tenant_apps.access.models import Grant, MemberModuleFlag, ModuleSetting, Role
from tenant_apps.contacts.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_scope_role(in_alpha) -> str:
    """A contributor whose every grant, viewing included, is "own"."""
    role = Role.objects.create(key="own-contributor", name="Own contributor")
    for action in ("view", "create", "change", "delete"):
        Grant.objects.create(
            role=role, entity="contacts.contact", action=action, scope="own"
        )
    return role.key


def test_own_scope_lists_counts_and_searches_only_own_contacts(
    make_member, signed_in, own_scope_role
) -> None:
    member = make_member(own_scope_role)
    Contact.objects.create(name="Mine Marple", created_by_id=member.user_id)
    Contact.objects.create(name="Mine Morse", created_by_id=member.user_id)
    client = signed_in(member)

    body = client.get("/contacts/").content.decode()
    assert "Mine Marple" in body and "Mine Morse" in body
    assert "Alpha Ada" not in body and "Alpha Alan" not in body
    assert "2 contacts" in body

    found = client.get("/contacts/", {"q": "Alpha"}).content.decode()
    assert "0 contacts matching" in found and "Alpha Ada" not in found
    found = client.get("/contacts/", {"q": "Marple"}).content.decode()
    assert "1 contact matching" in found and "Mine Marple" in found


def test_contacts_outside_scope_are_not_found(
    make_member, signed_in, own_scope_role
) -> None:
    member = make_member(own_scope_role)
    theirs = Contact.objects.get(name="Alpha Ada")
    client = signed_in(member)

    assert client.get(f"/contacts/{theirs.pk}/").status_code == 404
    assert client.get(f"/contacts/{theirs.pk}/edit/").status_code == 404
    response = client.post(f"/contacts/{theirs.pk}/edit/", {"name": "Taken"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Alpha Ada"


def test_a_contributor_edits_only_own_contacts_and_sees_edit_only_there(
    make_member, signed_in
) -> None:
    member = make_member("contributor")
    mine = Contact.objects.create(name="Mine Marple", created_by_id=member.user_id)
    theirs = Contact.objects.get(name="Alpha Ada")
    client = signed_in(member)

    assert "Alpha Ada" in client.get("/contacts/").content.decode()
    assert ">Edit<" in client.get(f"/contacts/{mine.pk}/").content.decode()
    other_page = client.get(f"/contacts/{theirs.pk}/")
    assert other_page.status_code == 200 and ">Edit<" not in other_page.content.decode()

    response = client.post(f"/contacts/{mine.pk}/edit/", {"name": "Jane Marple"})
    assert response.status_code == 302
    response = client.post(f"/contacts/{theirs.pk}/edit/", {"name": "Taken"})
    assert response.status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.name, theirs.name) == ("Jane Marple", "Alpha Ada")


def test_a_viewer_sees_no_buttons_and_is_refused_changes(
    make_member, signed_in
) -> None:
    member = make_member("viewer")
    contact = Contact.objects.get(name="Alpha Ada")
    client = signed_in(member)

    listing = client.get("/contacts/").content.decode()
    assert "Alpha Ada" in listing and "New contact" not in listing
    assert ">Edit<" not in client.get(f"/contacts/{contact.pk}/").content.decode()
    assert client.get("/contacts/new/").status_code == 403
    assert client.post("/contacts/new/", {"name": "Sneaky"}).status_code == 403
    response = client.post(f"/contacts/{contact.pk}/edit/", {"name": "Taken"})
    assert response.status_code == 403
    assert not Contact.objects.filter(name__in=["Sneaky", "Taken"]).exists()


CONTACT_PAGES = ("/contacts/", "/contacts/1/", "/contacts/1/edit/", "/contacts/new/")


def test_a_module_switched_off_for_the_organisation_is_404_everywhere(
    make_member, signed_in
) -> None:
    client = signed_in(make_member("admin"))
    ModuleSetting.objects.create(module="contacts", enabled=False)

    for path in CONTACT_PAGES:
        assert client.get(path).status_code == 404, path
    assert client.post("/contacts/new/", {"name": "Hidden"}).status_code == 404
    menu = client.get("/members/").content.decode()
    assert 'href="/members/"' in menu and 'href="/contacts/"' not in menu


def test_a_module_switched_off_for_one_member_is_404_for_them_only(
    make_member, signed_in
) -> None:
    flagged = make_member("admin")
    other = make_member("admin")
    MemberModuleFlag.objects.create(
        user_id=flagged.user_id, module="contacts", enabled=False
    )

    flagged_client = signed_in(flagged)
    for path in CONTACT_PAGES:
        assert flagged_client.get(path).status_code == 404, path
    assert 'href="/contacts/"' not in flagged_client.get("/members/").content.decode()
    other_client = signed_in(other)
    assert other_client.get("/contacts/").status_code == 200
    assert 'href="/contacts/"' in other_client.get("/members/").content.decode()


@pytest.mark.parametrize(
    "address",
    [
        "/contacts/?q=a%00b",
        "/audit/?actor=%00",
        "/audit/?entity=x%00",
        "/audit/?object=%00",
        "/contacts/?%00=1",
    ],
)
def test_a_nul_character_in_the_address_is_a_clear_400(
    make_member, signed_in, address: str
) -> None:
    client = signed_in(make_member("admin"))

    answer = client.get(address)

    assert answer.status_code == 400
    assert "NUL character" in answer.content.decode()


def test_percent_encoded_percent_signs_are_not_taken_for_nul(
    make_member, signed_in
) -> None:
    client = signed_in(make_member("admin"))

    assert client.get("/contacts/?q=%2500").status_code == 200


@pytest.mark.parametrize("method", ["TRACE", "CONNECT"])
def test_trace_and_connect_are_refused(make_member, signed_in, method: str) -> None:
    client = signed_in(make_member("admin"))

    answer = client.generic(method, "/contacts/")

    assert answer.status_code == 405
