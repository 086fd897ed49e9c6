"""The hash chain catches tampering; purges leave receipts; digests sign heads."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from opsyn import cli
from shared_apps.audit import capture, chain, digests
from shared_apps.audit.models import PurgeReceipt
from tenant_apps.audit import services
from tenant_apps.audit.models import AuditEvent
from tenant_apps.contacts.services import create_contact

pytestmark = pytest.mark.django_db


def _as_owner_bypassing_triggers(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params or [])
        cursor.execute("SET LOCAL session_replication_role = origin")


def _verify(capsys, slug: str) -> tuple[int, str]:
    code = cli.main(["audit", "verify", "--tenant", slug])
    return code, capsys.readouterr().out


def test_an_untouched_log_verifies(alpha, capsys) -> None:
    create_contact(actor_id=1, name="Untouched")

    code, out = _verify(capsys, "alpha")

    assert code == 0
    assert "alpha: ok" in out


def test_editing_an_event_as_the_owner_is_caught_at_that_event(alpha, capsys) -> None:
    create_contact(actor_id=1, name="Honest")
    target = AuditEvent.objects.latest("id")
    create_contact(actor_id=1, name="Later")

    _as_owner_bypassing_triggers(
        "UPDATE audit_event SET actor = 'user:666' WHERE id = %s", [target.id]
    )
    code, out = _verify(capsys, "alpha")

    assert code == 1
    assert f"BROKEN at event {target.id}" in out
    assert "content does not match its hash" in out


def test_rehashing_an_edited_event_breaks_the_next_link(alpha, capsys) -> None:
    create_contact(actor_id=1, name="First")
    target = AuditEvent.objects.latest("id")
    create_contact(actor_id=1, name="Second")
    following = AuditEvent.objects.latest("id")

    # A careful forger recomputes the row hash and its batch hash too.
    rows = {r["id"]: r for r in chain.events_as_text("alpha") if r["id"] == target.id}
    forged = {**rows[target.id], "actor": "user:666"}
    new_row = chain.row_hash(forged)
    new_chain = chain.batch_hash(forged["prev_hash"], [new_row])
    _as_owner_bypassing_triggers(
        "UPDATE audit_event SET actor = 'user:666', row_hash = %s, chain_hash = %s "
        "WHERE id = %s",
        [new_row, new_chain, target.id],
    )
    code, out = _verify(capsys, "alpha")

    assert code == 1
    assert f"BROKEN at event {following.id}" in out
    assert "does not link to the one before it" in out


def test_removing_the_newest_events_is_caught_by_the_stored_head(alpha, capsys) -> None:
    create_contact(actor_id=1, name="Doomed")
    last = AuditEvent.objects.latest("id")

    _as_owner_bypassing_triggers("DELETE FROM audit_event WHERE id = %s", [last.id])
    code, out = _verify(capsys, "alpha")

    assert code == 1
    assert "were removed or the head was changed" in out


def test_purge_removes_old_events_leaves_a_receipt_and_the_rest_verifies(
    alpha, capsys, settings, db_roles
) -> None:
    settings.OPSYN_DB_PURGE_ROLE = db_roles.purge
    # The retention floor is baked into the function; lower it for the test
    # (this transaction is rolled back afterwards).
    capture.install("alpha", min_retention_days=0)
    # now() is this transaction's start: everything committed before it.
    cutoff = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        cutoff = cursor.fetchone()[0]
    before = AuditEvent.objects.filter(occurred_at__lt=cutoff).count()
    assert before > 0

    receipt = services.purge_expired(actor="retention", cutoff=cutoff)

    assert receipt is not None
    assert receipt.removed == before
    assert not AuditEvent.objects.filter(id__lte=receipt.last_event_id).exists()
    purged = AuditEvent.objects.latest("id")
    assert purged.kind == "audit.purged"
    assert purged.actor == "retention"
    assert PurgeReceipt.objects.filter(schema_name="alpha").exists()
    code, out = _verify(capsys, "alpha")
    assert code == 0, out


def test_purge_refuses_events_younger_than_the_retention_floor(alpha) -> None:
    from django.db import DatabaseError

    with pytest.raises(DatabaseError, match="younger than"):
        services.purge_expired(actor="retention", cutoff=timezone.now())


def test_digest_signs_the_head_and_verify_catches_a_rewritten_log(
    alpha, capsys, settings, tmp_path
) -> None:
    settings.OPSYN_AUDIT_DIGEST_KEY = "a key the database never sees"
    settings.OPSYN_AUDIT_DIGEST_DIR = tmp_path
    create_contact(actor_id=1, name="Digested")
    path = tmp_path / digests.write_digest("alpha")
    signed = json.loads(path.read_text())

    assert _verify(capsys, "alpha")[0] == 0

    _as_owner_bypassing_triggers(
        "UPDATE audit_event SET chain_hash = %s WHERE id = %s",
        ["f" * 64, signed["last_event_id"]],
    )
    code, out = _verify(capsys, "alpha")
    assert code == 1
    assert "no longer has the signed chain hash" in out


def test_an_edited_digest_file_is_reported(alpha, capsys, settings, tmp_path) -> None:
    settings.OPSYN_AUDIT_DIGEST_KEY = "a key the database never sees"
    settings.OPSYN_AUDIT_DIGEST_DIR = tmp_path
    path = tmp_path / digests.write_digest("alpha")
    signed = json.loads(path.read_text())
    path.write_text(json.dumps({**signed, "last_event_id": 1}))

    code, out = _verify(capsys, "alpha")

    assert code == 1
    assert "signature does not match" in out


def _line(**overrides: Any) -> bytes:
    """One export line with every field, of the right types unless told."""
    record: dict[str, Any] = {
        "id": 1,
        "occurred_at": "2026-01-01T00:00:00.000000Z",
        "kind": "row",
        "tenant": "alpha",
        "table_name": "contacts_contact",
        "object_id": "1",
        "operation": "INSERT",
        "changes": {},
        "actor": "test",
        "ip": "",
        "session_id": "",
        "request_id": "",
        "changes_text": "{}",
        "row_hash": "0" * 64,
        "prev_hash": "0" * 64,
        "chain_hash": "0" * 64,
    }
    return (json.dumps({**record, **overrides}) + "\n").encode()


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (None, "cannot read"),
        (b"not json at all\n", "line 1 is not JSON"),
        (b'{"id": 1}\n', "line 1 lacks"),
        (b"[1, 2]\n", "line 1 is not a JSON object"),
        (b"\xff\xfe\n", "not UTF-8 text"),
        (b"", "holds no events"),
        (b"\n\n", "holds no events"),
        (_line(id="abc"), "id of the wrong type"),
        (_line(tenant=None, changes_text=1), "tenant, changes_text of the wrong"),
        (_line(filter={"action": "INSERT"}), "export filtered by"),
    ],
)
def test_verifying_a_file_that_is_no_export_is_one_readable_refusal(
    capsys, tmp_path, content: bytes | None, said: str
) -> None:
    path = tmp_path / "export.jsonl"
    if content is not None:
        path.write_bytes(content)

    code = cli.main(["audit", "verify", "--file", str(path)])

    err = capsys.readouterr().err
    assert code == 1
    assert said in err
    assert "unexpected" not in err
    assert len(err.strip().splitlines()) == 1
