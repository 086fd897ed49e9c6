"""Organisation admins read and export their audit log on their own host."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from shared_apps.audit.chain import verify_lines
from shared_apps.sessions.models import Session
from tenant_apps.audit.models import AuditEvent
from tenant_apps.audit.tasks import export_to_file
from tenant_apps.contacts.services import create_contact

pytestmark = pytest.mark.django_db


def test_a_change_made_on_a_page_is_shown_with_who_where_and_the_diff(
    member_client,
) -> None:
    admin = member_client("admin")
    contact = create_contact(actor_id=None, name="Before Name", email="")

    response = admin.post(
        f"/contacts/{contact.pk}/edit/",
        {
            "name": "After Name",
            "email": "",
            "phone": "",
            "organisation": "",
            "notes": "",
        },
    )
    assert response.status_code == 302

    event = AuditEvent.objects.filter(
        table_name="contacts_contact", object_id=str(contact.pk), operation="UPDATE"
    ).get()
    session = Session.objects.get(user_id=admin.user.pk)
    assert event.actor == f"user:{admin.user.pk}"
    assert event.ip == "198.51.100.23"
    assert event.session_id == str(session.public_id)
    assert event.request_id

    page = admin.get(
        "/audit/", {"entity": "contacts_contact", "object": str(contact.pk)}
    ).content.decode()
    assert "Before Name" in page
    assert "→ After Name" in page
    assert f"user:{admin.user.pk}" in page


def test_filters_narrow_the_list(member_client) -> None:
    admin = member_client("admin")
    create_contact(actor_id=None, name="Filtered In")

    page = admin.get("/audit/", {"action": "DELETE", "entity": "contacts_contact"})

    assert page.status_code == 200
    assert "Filtered In" not in page.content.decode()


def test_a_malformed_filter_is_a_clear_400(member_client) -> None:
    admin = member_client("admin")

    response = admin.get("/audit/", {"since": "last tuesday"})

    assert response.status_code == 400
    assert "is not a date" in response.content.decode()


def test_members_who_are_not_admins_cannot_see_the_log(member_client) -> None:
    viewer = member_client("viewer")

    assert viewer.get("/audit/").status_code in (403, 404)
    assert viewer.get("/audit/export/").status_code in (403, 404)


def test_json_lines_export_streams_and_verifies_offline(member_client) -> None:
    admin = member_client("admin")
    create_contact(actor_id=None, name="Exported")

    response = admin.get("/audit/export/", {"format": "jsonl"})

    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    verdict = verify_lines(io.StringIO(body))
    assert verdict.ok, verdict.describe()
    assert verdict.checked == AuditEvent.objects.count()
    assert "Exported" in body


def test_csv_export_has_the_chain_columns(member_client) -> None:
    admin = member_client("admin")

    response = admin.get(
        "/audit/export/", {"format": "csv", "entity": "contacts_contact"}
    )

    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    )
    assert rows
    assert {"row_hash", "prev_hash", "chain_hash", "changes_text"} <= set(rows[0])
    assert {row["table_name"] for row in rows} == {"contacts_contact"}


def test_an_unknown_export_format_is_refused(member_client) -> None:
    admin = member_client("admin")

    response = admin.get("/audit/export/", {"format": "xlsx"})

    assert response.status_code == 400
    assert "use jsonl or csv" in response.content.decode()


def test_large_exports_are_prepared_in_the_background_behind_expiring_links(
    member_client, settings, tmp_path, two_tenants, time_machine
) -> None:
    settings.OPSYN_AUDIT_EXPORT_INLINE_LIMIT = 1
    settings.OPSYN_AUDIT_EXPORT_DIR = tmp_path
    admin = member_client("admin")

    offer = admin.get("/audit/export/", {"format": "jsonl"})
    assert "prepared in the background" in offer.content.decode()

    # What the worker runs once the page queues it.
    export_to_file.run(name="audit-test.jsonl", fmt="jsonl", query={})
    page = admin.get("/audit/").content.decode()
    assert "audit-test.jsonl" in page
    link = page.split('href="/audit/exports/')[1].split('"')[0]

    download = admin.get(f"/audit/exports/{link}")
    assert download.status_code == 200
    assert verify_lines(io.StringIO(b"".join(download.streaming_content).decode())).ok

    from django.test import Client

    other = Client(HTTP_HOST=two_tenants[1].host)
    assert other.get(f"/audit/exports/{link}").status_code in (302, 404)

    # Past the link's lifetime, well within the session's.
    settings.OPSYN_AUDIT_EXPORT_LINK_SECONDS = 30
    time_machine.move_to(timezone.now() + timedelta(seconds=90))
    expired = admin.get(f"/audit/exports/{link}")
    assert expired.status_code == 404
    assert "expired" in expired.content.decode()


def test_expired_export_files_are_removed_and_fresh_ones_kept(
    settings, tmp_path
) -> None:
    import os
    import time

    from tenant_apps.audit import files

    settings.OPSYN_AUDIT_EXPORT_DIR = tmp_path
    settings.OPSYN_AUDIT_EXPORT_LINK_SECONDS = 60
    files.store_export("alpha", "audit-new.jsonl", io.BytesIO(b"{}\n"))
    for schema, name in (("alpha", "audit-old.jsonl"), ("bravo", "audit-old.csv")):
        files.store_export(schema, name, io.BytesIO(b"{}\n"))
        two_minutes_ago = time.time() - 120
        os.utime(tmp_path / schema / name, (two_minutes_ago, two_minutes_ago))

    assert files.remove_expired_exports() == 2

    assert sorted(p.name for p in tmp_path.rglob("*.*")) == ["audit-new.jsonl"]
    assert [e.name for e in files.ready_exports("alpha")] == ["audit-new.jsonl"]


def test_an_export_written_twice_is_stored_once(settings, tmp_path) -> None:
    from tenant_apps.audit import files

    settings.OPSYN_AUDIT_EXPORT_DIR = tmp_path
    files.store_export("alpha", "audit-x.jsonl", io.BytesIO(b"first\n"))
    files.store_export("alpha", "audit-x.jsonl", io.BytesIO(b"second\n"))

    assert [p.name for p in (tmp_path / "alpha").iterdir()] == ["audit-x.jsonl"]
    assert (tmp_path / "alpha" / "audit-x.jsonl").read_bytes() == b"second\n"


@pytest.mark.parametrize(
    "query",
    [
        {"since": "notadate"},
        {"since": "2020-13-01"},
        {"until": "2020-13-01"},
        {"since": "2020-02-30"},
        {"since": "9999-99-99"},
        {"since": "2020-01-01T25:00:00"},
        {"since": "9999-12-31T23:59:59-23:00"},
        {"since": "0001-01-01T00:00:00+23:00"},
        {"since": "0001-01-01T00:00:00+05:00"},
        {"action": "EXPLODE"},
    ],
)
@pytest.mark.parametrize("path", ["/audit/", "/audit/export/"])
def test_impossible_filters_are_a_400_with_a_reason(
    member_client, path: str, query: dict[str, str]
) -> None:
    admin = member_client("admin")

    response = admin.get(path, {"format": "csv", **query})

    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()


@pytest.mark.parametrize("before", ["²", "9" * 40, "-1", "x"])
def test_a_bad_page_position_is_a_400(member_client, before: str) -> None:
    response = member_client("admin").get("/audit/", {"before": before})

    assert response.status_code == 400
    assert "must be an event number" in response.content.decode()


def test_a_filtered_json_export_says_it_is_a_selection(member_client) -> None:
    admin = member_client("admin")

    response = admin.get("/audit/export/", {"format": "jsonl", "action": "INSERT"})

    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines
    assert all(json.loads(line)["filter"] == {"action": "INSERT"} for line in lines)
