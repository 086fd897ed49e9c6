"""``may`` and ``visible`` agree with each other and with a reference.

The reference below is written from the definitions of the model, not from
the policy's code: a grant is (entity, action, scope); a role reaches the
widest scope any of its grants gives; a module switched off for the
organisation or the member reaches nothing; "own" means the record's owner
is the actor; ``visible`` is the set of records ``may`` allows to view.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenant_apps.access import policy
from tenant_apps.access.catalogue import catalogue
from tenant_apps.access.models import Grant, MemberModuleFlag, ModuleSetting, Role
from tenant_apps.contacts.models import Contact

pytestmark = pytest.mark.django_db

ENTITIES = sorted(catalogue.entities)
ACTIONS = catalogue.actions()
RANK = {"none": 0, "own": 1, "all": 2}
OTHER_USER = 987654321

grants = st.lists(
    st.tuples(
        st.sampled_from(ENTITIES),
        st.sampled_from(ACTIONS),
        st.sampled_from(["own", "all"]),
    ),
    max_size=25,
)
owners = st.lists(st.sampled_from(["me", "other", "nobody"]), max_size=4)


def reference_scope(
    granted: dict[tuple[str, str], str],
    off: set[str],
    entity: str,
    action: str,
) -> str:
    declared = catalogue.entities[entity]
    if action not in declared.actions:
        return "none"
    if declared.module in off:
        return "none"
    return granted.get((entity, action), "none")


def reference_may(reach: str, owner: int | None, me: int, with_obj: bool) -> bool:
    if not with_obj:
        return reach != "none"
    return reach == "all" or (reach == "own" and owner == me)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    granted_list=grants,
    org_off=st.booleans(),
    member_off=st.booleans(),
    contact_owners=owners,
)
def test_may_and_visible_match_the_reference(
    make_member, granted_list, org_off, member_off, contact_owners
) -> None:
    with transaction.atomic():
        sid = transaction.savepoint()
        role = Role.objects.create(key="prop", name="Prop")
        granted: dict[tuple[str, str], str] = {}
        for entity, action, reach in granted_list:
            if action not in catalogue.entities[entity].actions:
                continue
            if reach == "own" and catalogue.entities[entity].owner_field is None:
                continue
            previous = granted.get((entity, action), "none")
            granted[(entity, action)] = max(previous, reach, key=RANK.__getitem__)
        Grant.objects.bulk_create(
            Grant(role=role, entity=e, action=a, scope=s)
            for (e, a), s in granted.items()
        )
        membership = make_member("prop")
        me = membership.user_id
        off: set[str] = set()
        if org_off:
            ModuleSetting.objects.create(module="contacts", enabled=False)
            off.add("contacts")
        if member_off:
            MemberModuleFlag.objects.create(
                user_id=me, module="contacts", enabled=False
            )
            off.add("contacts")
        owner_ids = {"me": me, "other": OTHER_USER, "nobody": None}
        contacts = [
            Contact.objects.create(name=f"c{i}", created_by_id=owner_ids[o])
            for i, o in enumerate(contact_owners)
        ]
        actor = policy.member_actor(membership)

        for entity in ENTITIES:
            for action in ACTIONS:
                reach = reference_scope(granted, off, entity, action)
                assert policy.may(actor, action, entity, log_denial=False) is (
                    reference_may(reach, None, me, with_obj=False)
                ), (entity, action, reach)

        ids = [c.pk for c in contacts]
        for action in ("view", "change", "delete"):
            reach = reference_scope(granted, off, "contacts.contact", action)
            expected = {
                c.pk
                for c in contacts
                if reference_may(reach, c.created_by_id, me, with_obj=True)
            }
            by_may = {
                c.pk
                for c in contacts
                if policy.may(actor, action, "contacts.contact", c, log_denial=False)
            }
            by_visible = set(
                policy.visible(
                    actor,
                    "contacts.contact",
                    Contact.objects.filter(pk__in=ids),
                    action=action,
                ).values_list("pk", flat=True)
            )
            assert by_may == expected == by_visible, action
        transaction.savepoint_rollback(sid)
