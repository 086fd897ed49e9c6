"""Retention removes what is past its period, in UTC, unless a hold stops it."""

from __future__ import annotations

import datetime
import os
import threading
import time
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client

from opsyn.errors import InvalidInput
from shared_apps.jobs import services as jobs
from shared_apps.jobs.models import JobRun
from shared_apps.sessions.models import Session
from shared_apps.tenants.activation import tenant_scope, use_public
from tenant_apps.contacts.models import Contact
from tenant_apps.retention import services
from tenant_apps.retention.models import LegalHold, RetentionPolicy, RetentionReceipt
from tests.conftest import PASSWORD

NOW = datetime.datetime(2026, 3, 1, 0, 30, tzinfo=datetime.UTC)


@pytest.fixture
def away_from_utc(settings: Any) -> Any:
    """Server, Django and database session all in time zones far from UTC."""
    settings.TIME_ZONE = "Pacific/Kiritimati"
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "America/Los_Angeles"
    time.tzset()
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Asia/Kathmandu'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
    if previous is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = previous
    time.tzset()


def _contact(name: str, updated_at: datetime.datetime) -> int:
    contact = Contact.objects.create(name=name, email=f"{name}@example.com")
    Contact.objects.filter(pk=contact.pk).update(updated_at=updated_at)
    return contact.pk


def _policy(**values: Any) -> None:
    services.update_policy(actor_id=None, **values)


def test_contacts_strictly_older_than_the_cutoff_go_whatever_the_time_zone(
    scratch_tenants, away_from_utc
) -> None:
    tenant = scratch_tenants.provision()
    cutoff = NOW - datetime.timedelta(days=30)
    with tenant_scope(tenant):
        _policy(contacts_days=30, contacts_action="delete")
        older = _contact("older", cutoff - datetime.timedelta(microseconds=1))
        at_cutoff = _contact("at-cutoff", cutoff)
        newer = _contact("newer", cutoff + datetime.timedelta(seconds=1))

        with time_machine.travel(NOW, tick=False):
            services.enforce_policy()

        remaining = set(Contact.objects.values_list("pk", flat=True))
        receipt = RetentionReceipt.objects.get(category="contacts")
    assert older not in remaining
    assert {at_cutoff, newer} <= remaining
    assert receipt.cutoff == cutoff
    assert receipt.rows_removed == 1
    assert receipt.outcome == "removed"


def test_untouched_contacts_are_anonymised_when_the_policy_says_so(
    scratch_tenants,
) -> None:
    tenant = scratch_tenants.provision()
    with tenant_scope(tenant):
        _policy(contacts_days=30, contacts_action="anonymise")
        stale = _contact("stale", NOW - datetime.timedelta(days=400))

        with time_machine.travel(NOW, tick=False):
            first = services.enforce_policy()
            second = services.enforce_policy()

        anonymised = Contact.objects.get(pk=stale)
    assert anonymised.name == services.ANONYMOUS_NAME
    assert anonymised.email == ""
    assert first["contacts"] == {"outcome": "anonymised", "rows": 1}
    assert second["contacts"] == {"outcome": "anonymised", "rows": 0}


def test_a_legal_hold_stops_deletion_until_released_and_is_recorded(
    scratch_tenants,
) -> None:
    tenant = scratch_tenants.provision()
    with tenant_scope(tenant):
        _policy(contacts_days=30, contacts_action="delete")
        stale = _contact("stale", NOW - datetime.timedelta(days=400))
        hold = services.place_hold(actor_id=7, category="contacts", reason="Case 12")

        with time_machine.travel(NOW, tick=False):
            held = services.enforce_policy()
        still_there = Contact.objects.filter(pk=stale).exists()

        services.release_hold(actor_id=8, hold_id=hold.pk)
        with time_machine.travel(NOW, tick=False):
            after = services.enforce_policy()
        gone = not Contact.objects.filter(pk=stale).exists()
        recorded = LegalHold.objects.get(pk=hold.pk)
        receipts = list(
            RetentionReceipt.objects.filter(category="contacts").order_by("id")
        )
    assert held["contacts"]["outcome"] == "held"
    assert still_there
    assert after["contacts"] == {"outcome": "removed", "rows": 1}
    assert gone
    assert (recorded.placed_by_id, recorded.released_by_id) == (7, 8)
    assert recorded.released_at is not None
    assert [r.outcome for r in receipts] == ["held", "removed"]


def test_a_hold_on_everything_stops_every_category(scratch_tenants) -> None:
    tenant = scratch_tenants.provision()
    with tenant_scope(tenant):
        services.place_hold(actor_id=None, category="", reason="Litigation")
        summary = services.enforce_policy()
    assert {v["outcome"] for v in summary.values()} == {"held"}


def test_every_category_gets_a_receipt_and_old_runs_and_sessions_go(
    scratch_tenants,
) -> None:
    tenant = scratch_tenants.provision()
    other = scratch_tenants.provision()
    long_ago = NOW - datetime.timedelta(days=200)
    old_run = JobRun.objects.create(
        tenant=tenant, kind="backup", trigger="operator", status="succeeded"
    )
    JobRun.objects.filter(pk=old_run.pk).update(finished_at=long_ago)
    recent_run = JobRun.objects.create(
        tenant=tenant, kind="retention", trigger="operator", status="failed"
    )
    JobRun.objects.filter(pk=recent_run.pk).update(finished_at=NOW)
    for key, host in (
        ("mine-old", f"{tenant.slug}.localhost"),
        ("theirs-old", f"{other.slug}.localhost"),
    ):
        Session.objects.create(
            session_key=f"{key}-{tenant.slug}",
            session_data="",
            expire_date=long_ago,
            host=host,
        )

    with tenant_scope(tenant), time_machine.travel(NOW, tick=False):
        summary = services.enforce_policy(run_id=4242)
        receipts = {r.category: r for r in RetentionReceipt.objects.all()}
    use_public()

    assert set(receipts) == {
        "audit",
        "sessions",
        "webhooks",
        "job_runs",
        "backups",
        "contacts",
    }
    assert {r.run_id for r in receipts.values()} == {4242}
    assert summary["job_runs"] == {"outcome": "removed", "rows": 1}
    assert not JobRun.objects.filter(pk=old_run.pk).exists()
    assert JobRun.objects.filter(pk=recent_run.pk).exists()
    assert summary["sessions"] == {"outcome": "removed", "rows": 1}
    assert Session.objects.filter(session_key=f"theirs-old-{tenant.slug}").exists()
    assert receipts["webhooks"].outcome == "skipped"
    assert receipts["contacts"].outcome == "kept"
    assert receipts["audit"].cutoff == NOW.replace(year=NOW.year - 6)
    Session.objects.filter(session_key__endswith=tenant.slug).delete()


def test_the_policy_stays_within_the_platform_bounds(scratch_tenants) -> None:
    tenant = scratch_tenants.provision()
    with tenant_scope(tenant):
        with pytest.raises(InvalidInput, match="from 1 to 7"):
            _policy(audit_years=0)
        with pytest.raises(InvalidInput, match="from 1 to 7"):
            _policy(audit_years=8)
        _policy(audit_years=3, contacts_days=None)
        assert RetentionPolicy.objects.get().audit_years == 3


def _admin_client(tenant: Any, settings: Any) -> Client:
    from shared_apps.accounts.services import create_user
    from tenant_apps.members.models import Role
    from tenant_apps.members.services import add_member

    email = f"admin@{tenant.slug}.example.com"
    user = create_user(
        actor="test", email=email, password=PASSWORD, email_verified=True
    )
    with tenant_scope(tenant):
        add_member(actor="test", user=user, role=Role.ADMIN)
    # Admins must enrol an authenticator; that flow has its own tests.
    settings.OPSYN_TWO_FACTOR_EXEMPT_EMAILS = (
        *getattr(settings, "OPSYN_TWO_FACTOR_EXEMPT_EMAILS", ()),
        email,
    )
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    signed_in = client.post("/sign-in/", {"username": email, "password": PASSWORD})
    assert signed_in.status_code == 302
    return client


def test_an_admin_changes_the_policy_on_the_tenant_domain(
    scratch_tenants, settings
) -> None:
    tenant = scratch_tenants.provision()
    client = _admin_client(tenant, settings)

    page = client.get("/retention/")
    assert page.status_code == 200
    assert "Data retention" in page.content.decode()

    form = {
        "audit_years": "9",
        "sessions_days": "30",
        "webhooks_days": "30",
        "job_runs_days": "30",
        "backups_weekly_keep": "4",
        "contacts_days": "",
        "contacts_action": "anonymise",
    }
    refused = client.post("/retention/", form)
    assert refused.status_code == 400
    assert "less than or equal to 7" in refused.content.decode()

    saved = client.post("/retention/", {**form, "audit_years": "2"}, follow=True)
    assert "Retention policy saved." in saved.content.decode()
    with tenant_scope(tenant):
        assert RetentionPolicy.objects.get().audit_years == 2

    held = client.post(
        "/retention/holds/", {"category": "contacts", "reason": "Audit by regulator"}
    )
    assert held.status_code == 302
    assert "Audit by regulator" in client.get("/retention/").content.decode()


def test_tenant_pages_keep_answering_during_a_large_purge(
    scratch_tenants, settings
) -> None:
    tenant = scratch_tenants.provision()
    client = _admin_client(tenant, settings)
    with tenant_scope(tenant), connection.cursor() as cursor:
        _policy(contacts_days=30, contacts_action="delete")
        cursor.execute(
            "INSERT INTO contacts_contact (name, email, phone, organisation, notes,"
            " created_at, updated_at) SELECT 'Old ' || g, '', '', '', '', "
            "now() - interval '400 days', now() - interval '400 days' "
            "FROM generate_series(1, 60000) g"
        )
    use_public()
    result: dict[str, Any] = {}

    def purge() -> None:
        try:
            with tenant_scope(tenant):
                result.update(services.enforce_policy())
        finally:
            connection.close()

    worker = threading.Thread(target=purge)
    worker.start()
    answered_during = []
    while worker.is_alive():
        response = client.get("/contacts/")
        assert response.status_code == 200
        if worker.is_alive():
            answered_during.append(response)
    worker.join()

    assert result["contacts"] == {"outcome": "removed", "rows": 60000}
    assert answered_during, "no page was served while the purge ran"
    with tenant_scope(tenant):
        receipt = RetentionReceipt.objects.get(category="contacts")
    # Many short transactions, not one long one.
    assert receipt.batches > 10
    assert receipt.longest_batch_ms > 0


def test_the_retention_job_runs_the_policy_and_writes_receipts(scratch_tenants) -> None:
    tenant = scratch_tenants.provision()
    run = jobs.request_run(actor="test", tenant=tenant, kind="retention", send=False)

    with tenant_scope(tenant):
        outcome = jobs.execute_run(run_id=run.pk)
        receipts = RetentionReceipt.objects.filter(run_id=run.pk).count()

    run.refresh_from_db()
    assert outcome == "succeeded"
    assert run.result["contacts"] == {"outcome": "kept", "rows": 0}
    assert receipts == 6
