"""Every preset against every entity and action, as a table."""

from __future__ import annotations

import pytest

from tenant_apps.access import policy
from tenant_apps.access.catalogue import Scope, catalogue

pytestmark = pytest.mark.django_db

ADMINISTRATIVE = {
    "members.membership",
    "members.invitation",
    "access.role",
    "sessions.session",
    "audit.event",
    "webhooks.endpoint",
    "apikeys.key",
    "retention.policy",
    "exports.export",
}
ACTIONS = ("view", "create", "change", "delete", "export", "administer")
A, OWN, N = Scope.ALL, Scope.OWN, Scope.NONE

# preset → product entities, action by action; administrative entities
# are all-or-nothing and listed separately below.
PRODUCT_TABLE = {
    "viewer": dict(zip(ACTIONS, (A, N, N, N, N, N), strict=True)),
    "contributor": dict(zip(ACTIONS, (A, OWN, OWN, OWN, N, N), strict=True)),
    "admin": dict(zip(ACTIONS, (A, A, A, A, A, A), strict=True)),
}
ADMINISTRATIVE_SCOPE = {"viewer": N, "contributor": N, "admin": A}


def test_the_catalogue_holds_the_declared_entities() -> None:
    assert ADMINISTRATIVE | {"contacts.contact"} <= set(catalogue.entities)
    assert {e.name for e in catalogue.entities.values() if e.administrative} >= (
        ADMINISTRATIVE
    )


def _expected(role: str, entity: str, action: str) -> Scope:
    if catalogue.get(entity).administrative:
        return ADMINISTRATIVE_SCOPE[role]
    return PRODUCT_TABLE[role].get(action, A if role == "admin" else N)


@pytest.mark.parametrize("role", ["viewer", "contributor", "admin"])
def test_preset_table(make_member, role: str) -> None:
    actor = policy.member_actor(make_member(role))
    cells = [
        (entity.name, action)
        for entity in sorted(catalogue.entities.values(), key=lambda e: e.name)
        for action in entity.actions
    ]

    actual = {(e, a): policy.scope(actor, a, e) for e, a in cells}
    expected = {cell: _expected(role, *cell) for cell in cells}
    allowed = {
        cell: policy.may(actor, cell[1], cell[0], log_denial=False) for cell in cells
    }

    assert actual == expected
    assert allowed == {cell: reach is not N for cell, reach in expected.items()}


def test_a_suspended_member_may_do_nothing(make_member) -> None:
    membership = make_member("admin")
    membership.status = "suspended"
    actor = policy.member_actor(membership)

    assert not any(
        policy.may(actor, action, entity.name)
        for entity in catalogue.entities.values()
        for action in entity.actions
    )
