"""Every write path leaves exactly one audit event, with who, where and what."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from opsyn import context
from tenant_apps.audit.models import AuditEvent
from tenant_apps.contacts.models import Contact
from tenant_apps.contacts.services import create_contact, update_contact

pytestmark = pytest.mark.django_db


def _events_after(last_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=last_id).order_by("id"))


def _last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_create_records_one_insert_with_actor_ip_session_and_request(alpha) -> None:
    start = _last_id()
    with context.bound(
        actor="user:7", ip="203.0.113.9", session="sess-public-1", request_id="r1"
    ):
        contact = create_contact(actor_id=7, name="Ada", email="ada@example.com")

    [event] = _events_after(start)
    assert (event.table_name, event.operation, event.object_id) == (
        "contacts_contact",
        "INSERT",
        str(contact.pk),
    )
    assert (event.actor, event.ip, event.session_id, event.request_id) == (
        "user:7",
        "203.0.113.9",
        "sess-public-1",
        "r1",
    )
    assert event.changes["name"] == {"new": "Ada"}
    assert event.tenant == "alpha"


def test_partial_save_records_only_the_fields_that_changed(alpha) -> None:
    contact = create_contact(actor_id=1, name="Grace", email="g@example.com")
    start = _last_id()

    with context.bound(actor="user:1"):
        update_contact(actor_id=1, contact=contact, name="Grace Hopper")

    [event] = _events_after(start)
    assert event.operation == "UPDATE"
    assert set(event.changes) == {"name", "updated_at"}
    assert event.changes["name"] == {"old": "Grace", "new": "Grace Hopper"}


def test_bulk_update_records_one_event_per_row_with_the_previous_state(alpha) -> None:
    made = [create_contact(actor_id=1, name=f"Bulk {i}") for i in range(5)]
    start = _last_id()

    with context.bound(actor="retention"):
        Contact.objects.filter(pk__in=[c.pk for c in made]).update(organisation="Acme")

    events = _events_after(start)
    assert sorted(e.object_id for e in events) == sorted(str(c.pk) for c in made)
    assert {e.actor for e in events} == {"retention"}
    assert all(
        e.changes == {"organisation": {"old": "", "new": "Acme"}} for e in events
    )


def test_bulk_create_and_raw_sql_are_recorded(alpha) -> None:
    start = _last_id()
    with context.bound(actor="cli:ops"):
        Contact.objects.bulk_create(
            [Contact(name="Raw A"), Contact(name="Raw B"), Contact(name="Raw C")]
        )
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM contacts_contact WHERE name = 'Raw B'")

    events = _events_after(start)
    assert [e.operation for e in events] == ["INSERT"] * 3 + ["DELETE"]
    assert events[-1].changes["name"] == {"old": "Raw B"}
    assert {e.actor for e in events} == {"cli:ops"}


def test_a_write_without_context_is_marked_as_system_never_empty(alpha) -> None:
    start = _last_id()
    create_contact(actor_id=None, name="Nobody")

    [event] = _events_after(start)
    assert event.actor.startswith("system:")


def test_update_that_matches_no_rows_records_nothing(alpha) -> None:
    start = _last_id()
    Contact.objects.filter(pk=-1).update(name="x")
    assert _events_after(start) == []


def test_a_bulk_write_after_single_row_writes_hashes_its_batch_once(alpha) -> None:
    """A plan cached for one-row statements must not redo the batch hash per row.

    The connection's first audited statements touch one row each, so the
    capture's cached plan is made for tiny transition tables; the bulk
    update after them must still compute its batch's chain hash once.
    """
    for name in ("One", "Two", "Three", "Four", "Five", "Six"):
        create_contact(actor_id=1, name=name, email="")
    contact = Contact.objects.order_by("id").first()
    assert contact is not None
    with connection.cursor() as cursor:
        for number in range(8):
            cursor.execute(
                "UPDATE contacts_contact SET name = %s WHERE id = %s",
                [f"Single {number}", contact.pk],
            )
        cursor.execute("LOAD 'auto_explain'")
        cursor.execute("SET LOCAL auto_explain.log_min_duration = 0")
        cursor.execute("SET LOCAL auto_explain.log_nested_statements = on")
        cursor.execute("SET LOCAL auto_explain.log_analyze = on")
        cursor.execute("SET LOCAL auto_explain.log_timing = off")
        cursor.execute("SET LOCAL auto_explain.log_level = notice")
        raw = connection.connection
        notices: list[str] = []

        def keep(diagnostic: Any) -> None:
            notices.append(diagnostic.message_primary or "")

        raw.add_notice_handler(keep)
        try:
            cursor.execute("UPDATE contacts_contact SET organisation = 'Bulk'")
        finally:
            raw.remove_notice_handler(keep)

    [capture] = [plan for plan in notices if "Insert on audit_event" in plan]
    batch = capture.split("CTE batch", 1)[1].split("CTE ", 1)[0]
    assert "Aggregate" in batch and "loops=1)" in batch, capture
    assert "loops=" not in batch.replace("loops=1)", ""), capture
