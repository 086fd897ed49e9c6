"""Rights end at the organisation's edge; checks cost O(1) queries."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from opsyn.access import declared_access
from shared_apps.accounts.models import User
from shared_apps.operators.models import GlobalRole, OperatorRole, SupportAccess
from shared_apps.tenants.activation import tenant_scope
from tenant_apps.access import policy
from tenant_apps.access.catalogue import catalogue
from tenant_apps.contacts.models import Contact
from tenant_apps.members.selectors import is_organisation_admin
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_an_admin_of_one_organisation_has_no_rights_on_another(
    two_tenants, make_member, signed_in
) -> None:
    _, bravo = two_tenants
    admin = make_member("admin")
    actor = policy.member_actor(admin)
    assert policy.may(actor, "administer", "members.membership")

    with tenant_scope(bravo.tenant):
        assert not any(
            policy.may(actor, action, entity.name, log_denial=False)
            for entity in catalogue.entities.values()
            for action in entity.actions
        )
        assert not policy.visible(actor, "contacts.contact", Contact.objects.all())

    client = signed_in(admin)
    client.defaults["HTTP_HOST"] = bravo.host
    for path in ("/contacts/", "/members/", "/roles/"):
        response = client.get(path)
        assert response.status_code == 302 and "/sign-in/" in response["Location"]


@pytest.fixture
def operator(db: None) -> Callable[[str], User]:
    def make(role: str) -> User:
        user = User.objects.create_user(f"{role}@ops.example.com", PASSWORD)
        OperatorRole.objects.create(user=user, role=role, granted_by="test")
        return user

    return make


def test_support_sees_no_contacts_until_a_tenant_admin_grants_access(
    two_tenants, operator, make_member
) -> None:
    alpha, _ = two_tenants
    support = operator(GlobalRole.SUPPORT)
    admin = policy.member_actor(make_member("admin"))

    actor = policy.operator_actor(support)
    assert not policy.visible(actor, "contacts.contact", Contact.objects.all())
    assert not policy.may(actor, "view", "contacts.contact", log_denial=False)

    from tenant_apps.access.services import grant_support_access

    grant_support_access(
        actor=admin, operator_email=support.email, hours=2, reason="ticket 42"
    )
    actor = policy.operator_actor(support)
    names = set(
        policy.visible(actor, "contacts.contact", Contact.objects.all()).values_list(
            "name", flat=True
        )
    )
    assert set(alpha.contact_names) <= names
    assert not policy.may(actor, "change", "contacts.contact", log_denial=False)
    assert not policy.may(actor, "view", "members.membership", log_denial=False)

    SupportAccess.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    actor = policy.operator_actor(support)
    assert not policy.visible(actor, "contacts.contact", Contact.objects.all())


def test_support_with_access_signs_in_on_the_tenant_host_and_only_looks(
    two_tenants, operator, make_member, caplog
) -> None:
    from django.test import Client

    from shared_apps.accounts.signin import REFUSAL
    from tenant_apps.access.services import grant_support_access
    from tests.shared_apps.accounts.support import code, give_authenticator

    alpha, _ = two_tenants
    support = operator(GlobalRole.SUPPORT)
    support.email_verified_at = timezone.now()
    support.save(update_fields=["email_verified_at"])
    key = b"support-key-0123456789"
    give_authenticator(support, key)
    sign_in = {"username": support.email, "password": PASSWORD}

    # No access granted: the same refusal as any non-member.
    refused = Client(HTTP_HOST=alpha.host).post("/sign-in/", sign_in)
    assert REFUSAL in refused.content.decode()

    admin = policy.member_actor(make_member("admin"))
    grant_support_access(
        actor=admin, operator_email=support.email, hours=1, reason="ticket 7"
    )
    client = Client(HTTP_HOST=alpha.host)
    assert client.post("/sign-in/", sign_in)["Location"] == "/sign-in/second-factor/"
    with caplog.at_level(logging.INFO, logger="opsyn.security"):
        client.post("/sign-in/second-factor/", {"code": code(key)})
    assert any(r.getMessage() == "support.signed_in" for r in caplog.records)

    listing = client.get("/contacts/")
    assert listing.status_code == 200
    assert all(name in listing.content.decode() for name in alpha.contact_names)
    assert client.post("/contacts/new/", {"name": "Sneaky"}).status_code in (403, 404)
    assert not Contact.objects.filter(name="Sneaky").exists()
    assert client.get("/members/").status_code in (403, 404)

    SupportAccess.objects.update(revoked_at=timezone.now())
    after = client.get("/contacts/")
    assert after.status_code == 302 and "/sign-in/" in after["Location"]


def test_a_platform_admin_role_grants_no_tenant_data(two_tenants, operator) -> None:
    actor = policy.operator_actor(operator(GlobalRole.PLATFORM_ADMIN))

    assert policy.may(actor, "delete", "platform.tenant")
    assert not policy.may(actor, "view", "contacts.contact", log_denial=False)
    assert not policy.visible(actor, "contacts.contact", Contact.objects.all())


def test_a_member_holds_no_platform_rights(make_member) -> None:
    actor = policy.member_actor(make_member("admin"))
    assert not policy.may(actor, "view", "platform.console", log_denial=False)


def test_denials_are_logged_to_the_security_logger(make_member, caplog) -> None:
    actor = policy.member_actor(make_member("viewer"))
    contact = Contact.objects.get(name="Alpha Ada")

    with caplog.at_level(logging.INFO, logger="opsyn.security"):
        assert not policy.may(actor, "change", "contacts.contact", contact)

    record = next(r for r in caplog.records if r.getMessage() == "permission.denied")
    assert record.name == "opsyn.security"
    assert (record.actor, record.entity, record.action, record.object_id) == (
        f"user:{actor.user_id}",
        "contacts.contact",
        "change",
        contact.pk,
    )


def test_any_number_of_checks_costs_one_query(make_member) -> None:
    actor = policy.member_actor(make_member("contributor"))
    contacts = list(Contact.objects.all())

    with CaptureQueriesContext(connection) as queries:
        for _ in range(50):
            for entity in catalogue.entities.values():
                for action in entity.actions:
                    policy.may(actor, action, entity.name, log_denial=False)
            for contact in contacts:
                policy.may(
                    actor, "change", "contacts.contact", contact, log_denial=False
                )

    assert len(queries) == 1


def test_the_list_page_takes_as_many_queries_for_own_scope_as_for_admin(
    make_member, signed_in
) -> None:
    from tenant_apps.access.models import Grant, Role

    role = Role.objects.create(key="own-only", name="Own only")
    Grant.objects.create(
        role=role, entity="contacts.contact", action="view", scope="own"
    )
    counts = []
    for key in ("admin", "own-only"):
        member = make_member(key)
        # Both list pages show rows, so both run the page query.
        Contact.objects.create(name="Owned", created_by_id=member.user_id)
        client = signed_in(member)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/contacts/").status_code == 200
        counts.append(len(queries))
    # The custom role's grants come in the same query as the module switches.
    assert counts[1] == counts[0]


def test_is_organisation_admin_follows_the_policy(make_member) -> None:
    assert is_organisation_admin(make_member("admin"))
    assert not is_organisation_admin(make_member("contributor"))
    suspended = make_member("admin")
    suspended.status = "suspended"
    assert not is_organisation_admin(suspended)
    assert not is_organisation_admin(None)


def _walk(patterns: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_every_required_permission_names_a_catalogued_entity_and_action() -> None:
    wrong = []
    for urlconf in ("opsyn.urls.tenant", "opsyn.urls.platform"):
        for route, view in _walk(get_resolver(urlconf).url_patterns):
            declared = declared_access(view)
            if not declared or declared[0] != "requires":
                continue
            _, action, entity = declared
            if entity.startswith("platform."):
                continue
            known = catalogue.entities.get(entity)
            if known is None or action not in known.actions:
                wrong.append((route, action, entity))
    assert wrong == []
