"""Runs happen once per tenant and kind, survive dead workers, fail loudly."""

from __future__ import annotations

import datetime
import logging
import threading
import uuid
from typing import Any, cast

import psycopg
import pytest
from django.db import connection

from opsyn.celery import app
from shared_apps.backups.models import Backup, BackupStatus
from shared_apps.backups.selectors import restorable_backup
from shared_apps.backups.storage import spool_dir
from shared_apps.jobs import locks, services
from shared_apps.jobs.models import JobRun, Status, Trigger
from shared_apps.tenants.activation import tenant_scope, use_public
from shared_apps.tenants.models import Tenant, TenantStatus
from tests.shared_apps.jobs.support import wait_for

calls: list[int] = []


def _explode(*, run: JobRun, progress: Any) -> dict[str, Any]:
    calls.append(run.pk)
    raise RuntimeError("storage is unreachable")


def _cancel_midway(*, run: JobRun, progress: Any) -> dict[str, Any]:
    services.cancel_run(actor="test", run_id=run.pk)
    progress.update(1, 2, "steps")
    return {"finished": True}


@pytest.fixture
def own_queue(settings: Any) -> Any:
    """Send this test's tasks to a queue nobody consumes; remove it after."""
    settings.OPSYN_JOBS_QUEUE = f"jobs-unconsumed-{uuid.uuid4().hex[:8]}"
    yield settings.OPSYN_JOBS_QUEUE
    with app.connection_for_write() as conn:
        cast(Any, conn.default_channel).queue_delete(settings.OPSYN_JOBS_QUEUE)


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def test_same_task_delivered_twice_makes_one_run(
    scratch_tenants, killable_worker
) -> None:
    tenant = scratch_tenants.provision(contacts=["Ada"])
    killable_worker.start()
    run = services.request_run(actor="test", tenant=tenant, kind="backup", send=False)

    services.enqueue(run)
    services.enqueue(run)

    worker = killable_worker.current
    assert wait_for(lambda: worker.log().count("succeeded in") >= 2), worker.log()
    run.refresh_from_db()
    assert run.status == Status.SUCCEEDED
    assert run.attempt == 1
    assert Backup.objects.filter(run_id=run.pk).count() == 1


def test_a_delivery_while_the_run_is_held_elsewhere_does_nothing(
    scratch_tenants, own_queue
) -> None:
    tenant = scratch_tenants.provision()
    run = services.request_run(actor="test", tenant=tenant, kind="backup", send=False)
    key = f"opsyn.jobs:{tenant.pk}:backup"

    with psycopg.connect(_database_url(), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [key])
        with tenant_scope(tenant):
            outcome = services.execute_run(run_id=run.pk)

    run.refresh_from_db()
    assert outcome == "busy"
    assert run.status == Status.QUEUED
    assert not Backup.objects.filter(run_id=run.pk).exists()


def test_two_dispatchers_make_one_run_per_tenant(scratch_tenants, own_queue) -> None:
    scratch_tenants.provision()
    scratch_tenants.provision()
    late = datetime.datetime.now(datetime.UTC).replace(hour=23, minute=59)
    start = threading.Barrier(2)
    made: list[list[int]] = []

    def dispatcher() -> None:
        try:
            start.wait()
            made.append(services.dispatch(kind="retention", now=late))
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    try:
        active = set(
            Tenant.objects.filter(status=TenantStatus.ACTIVE).values_list(
                "pk", flat=True
            )
        )
        runs = JobRun.objects.filter(
            kind="retention", trigger=Trigger.SCHEDULE, slot=late.date()
        )
        per_tenant = [r.tenant_id for r in runs]
        assert sorted(per_tenant) == sorted(active)
        assert sorted(made[0] + made[1]) == sorted(r.pk for r in runs)
    finally:
        JobRun.objects.filter(
            kind="retention", trigger=Trigger.SCHEDULE, slot=late.date()
        ).delete()


def test_a_killed_worker_leaves_a_run_that_is_retried_and_no_good_partial_backup(
    scratch_tenants, killable_worker, backup_dir, settings
) -> None:
    settings.OPSYN_JOBS_RETRY_BASE_SECONDS = 0
    tenant = scratch_tenants.provision(contacts=["Ada"])
    with connection.cursor() as cursor:
        # Enough rows that the backup is still writing when it is killed.
        cursor.execute(
            f'CREATE TABLE "{tenant.schema_name}".zz_bulk AS SELECT g AS id, '
            "repeat('x', 200) AS filler FROM generate_series(1, 600000) g"
        )
        cursor.execute(
            f'ALTER TABLE "{tenant.schema_name}".zz_bulk ADD PRIMARY KEY (id)'
        )
    killable_worker.start()
    run = services.request_run(actor="test", tenant=tenant, kind="backup", send=False)
    services.enqueue(run)

    def partial_file() -> bool:
        return any(
            path.name == "zz_bulk.copy" and path.stat().st_size > 0
            for path in spool_dir().glob(f"{tenant.slug}-*/*")
        )

    assert wait_for(partial_file, timeout=60), killable_worker.current.log()
    killable_worker.kill()

    first = Backup.objects.get(tenant=tenant)
    run.refresh_from_db()
    assert run.status == Status.RUNNING
    assert first.status == BackupStatus.WRITING
    with pytest.raises(Exception, match="not complete"):
        restorable_backup(slug=tenant.slug, at=first.label)
    assert wait_for(lambda: not locks.is_held_elsewhere(tenant.pk, "backup"), 30)

    swept = services.sweep_stale_runs()
    run.refresh_from_db()
    assert swept["recovered"] == 1
    assert run.status == Status.QUEUED
    assert "abandoned" in run.error

    killable_worker.start()
    assert wait_for(
        lambda: JobRun.objects.get(pk=run.pk).status == Status.SUCCEEDED, 120
    ), killable_worker.current.log()
    run.refresh_from_db()
    first.refresh_from_db()
    good = restorable_backup(slug=tenant.slug, at="latest")
    assert run.attempt == 2
    assert first.status == BackupStatus.FAILED
    assert "abandoned" in first.error
    assert good.pk != first.pk
    assert good.manifest["tables"][-1]["rows"] == 600000
    assert not (spool_dir() / first.label).exists()


def test_a_run_task_without_a_tenant_refuses_to_run(
    scratch_tenants, killable_worker
) -> None:
    tenant = scratch_tenants.provision()
    worker = killable_worker.start()
    run = services.request_run(actor="test", tenant=tenant, kind="backup", send=False)

    sent = app.send_task("jobs.run", args=[run.pk], queue=killable_worker_queue())

    assert worker.wait_for_log(sent.id, timeout=30)
    assert worker.wait_for_log("task.refused", timeout=30), worker.log()
    run.refresh_from_db()
    assert run.status == Status.QUEUED
    assert run.attempt == 0


def killable_worker_queue() -> str:
    from django.conf import settings

    return str(settings.OPSYN_JOBS_QUEUE)


def test_a_run_sent_with_another_tenants_header_refuses(
    scratch_tenants, own_queue
) -> None:
    mine = scratch_tenants.provision()
    other = scratch_tenants.provision()
    run = services.request_run(actor="test", tenant=mine, kind="backup", send=False)

    with tenant_scope(other):
        outcome = services.execute_run(run_id=run.pk)

    run.refresh_from_db()
    assert outcome == "refused"
    assert run.status == Status.QUEUED


def test_a_failing_run_is_retried_with_backoff_then_fails_loudly(
    scratch_tenants, own_queue, monkeypatch, caplog
) -> None:
    monkeypatch.setitem(
        services.HANDLERS, "backup", "tests.shared_apps.jobs.test_runs:_explode"
    )
    tenant = scratch_tenants.provision()
    run = services.request_run(actor="test", tenant=tenant, kind="backup", send=False)

    outcomes = []
    with caplog.at_level(logging.WARNING), tenant_scope(tenant):
        for _ in range(run.max_attempts):
            outcomes.append(services.execute_run(run_id=run.pk))
            run.refresh_from_db()
            if run.status == Status.QUEUED:
                assert run.next_attempt_at is not None
    use_public()

    assert outcomes == ["retrying", "retrying", "failed"]
    assert run.status == Status.FAILED
    assert run.error == "RuntimeError: storage is unreachable"
    assert services.backoff_seconds(2) > services.backoff_seconds(1)
    failures = [r for r in caplog.records if r.getMessage() == "job.failed"]
    assert failures and failures[0].levelno == logging.ERROR


def test_an_operator_can_cancel_queued_and_running_runs(
    scratch_tenants, own_queue, monkeypatch
) -> None:
    tenant = scratch_tenants.provision()
    queued = services.request_run(
        actor="test", tenant=tenant, kind="retention", send=False
    )
    assert services.cancel_run(actor="test", run_id=queued.pk).status == "cancelled"

    monkeypatch.setitem(
        services.HANDLERS, "backup", "tests.shared_apps.jobs.test_runs:_cancel_midway"
    )
    running = services.request_run(
        actor="test", tenant=tenant, kind="backup", send=False
    )
    with tenant_scope(tenant):
        outcome = services.execute_run(run_id=running.pk)
    running.refresh_from_db()
    assert outcome == "cancelled"
    assert running.status == Status.CANCELLED
    assert running.error == "cancelled by an operator"


def test_a_second_open_run_of_the_same_kind_is_refused(
    scratch_tenants, own_queue
) -> None:
    tenant = scratch_tenants.provision()
    first = services.request_run(actor="test", tenant=tenant, kind="backup", send=False)

    with pytest.raises(Exception, match="already queued or running") as refused:
        services.request_run(actor="test", tenant=tenant, kind="backup", send=False)
    assert f"opsyn jobs cancel {first.pk}" in str(refused.value)


def test_the_weekly_drill_samples_backed_up_tenants_least_recently_drilled(
    scratch_tenants, settings
) -> None:
    settings.OPSYN_BACKUP_DRILL_SAMPLE = 1
    drilled_before = scratch_tenants.provision()
    never_drilled = scratch_tenants.provision()
    no_backup = scratch_tenants.provision()
    for tenant in (drilled_before, never_drilled):
        JobRun.objects.create(
            tenant=tenant, kind="backup", trigger="schedule", status="succeeded"
        )
    JobRun.objects.create(
        tenant=drilled_before, kind="drill", trigger="schedule", status="succeeded"
    )

    chosen = services._drill_sample([drilled_before, never_drilled, no_backup])

    assert chosen == [never_drilled]
