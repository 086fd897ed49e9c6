"""With separate database roles, owner-only jobs run on the maintenance worker.

The jobs worker connects as the application role, which may neither purge
the audit log nor create a schema; retention and restore drills go to the
maintenance queue, whose worker connects as the owner.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest

from opsyn.celery import app
from shared_apps.jobs import services
from shared_apps.jobs.models import JobRun, Status
from shared_apps.tenants.activation import tenant_scope
from tenant_apps.retention.models import RetentionReceipt
from tests.conftest import WorkerProcess, service_env, start_worker
from tests.shared_apps.jobs.support import wait_for

PURGE_AS_APP = """
import django, datetime
django.setup()
from opsyn.errors import PlatformError
from shared_apps.tenants.activation import tenant_scope
from shared_apps.tenants.selectors import tenant_by_slug
from tenant_apps.audit.services import purge_expired
with tenant_scope(tenant_by_slug("alpha")):
    try:
        purge_expired(
            actor="retention",
            cutoff=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
        )
    except PlatformError as refusal:
        print(refusal.code, refusal.message)
"""


@dataclass
class SplitWorkers:
    jobs: WorkerProcess
    maintenance: WorkerProcess


@pytest.fixture
def split_workers(
    db_roles: Any, live_db: None, tmp_path: Path, backup_dir: Path, settings: Any
) -> Iterator[SplitWorkers]:
    suffix = uuid.uuid4().hex[:8]
    queues = (f"jobs-test-{suffix}", f"maintenance-test-{suffix}")
    settings.OPSYN_JOBS_QUEUE, settings.OPSYN_MAINTENANCE_QUEUE = queues
    # Tenants provisioned here get the app role's grants, as in production.
    settings.OPSYN_DB_APP_ROLE = db_roles.app
    settings.OPSYN_DB_PURGE_ROLE = db_roles.purge
    env = service_env()
    env.update(
        DATABASE_OWNER_URL=env["DATABASE_URL"],
        DATABASE_URL=db_roles.url(db_roles.app),
        OPSYN_DATABASE_PURGE_ROLE=db_roles.purge,
        OPSYN_BACKUP_DIR=str(backup_dir),
        OPSYN_BACKUP_KEY="",
        OPSYN_JOBS_QUEUE=queues[0],
        OPSYN_MAINTENANCE_QUEUE=queues[1],
    )
    env.pop("OPSYN_DATABASE_AS_OWNER", None)
    jobs = start_worker(tmp_path / "jobs.log", env, f"--queues={queues[0]}")
    maintenance = start_worker(
        tmp_path / "maintenance.log",
        {**env, "OPSYN_DATABASE_AS_OWNER": "1"},
        f"--queues={queues[1]}",
    )
    try:
        for worker in (jobs, maintenance):
            assert worker.wait_for_log("ready.", timeout=60), worker.log()
        yield SplitWorkers(jobs, maintenance)
    finally:
        for worker in (jobs, maintenance):
            worker.process.terminate()
            worker.process.wait(timeout=30)
        with app.connection_for_write() as conn:
            for queue in queues:
                cast(Any, conn.default_channel).queue_delete(queue)


def _finished(run: JobRun) -> JobRun:
    assert wait_for(
        lambda: (
            JobRun.objects.get(pk=run.pk).status in (Status.SUCCEEDED, Status.FAILED)
        ),
        timeout=90,
    )
    return JobRun.objects.get(pk=run.pk)


def test_retention_and_drills_run_as_the_owner_backups_as_the_app_role(
    scratch_tenants, split_workers: SplitWorkers
) -> None:
    tenant = scratch_tenants.provision(contacts=["Ada", "Grace"])

    runs = {
        kind: _finished(services.request_run(actor="test", tenant=tenant, kind=kind))
        for kind in ("backup", "retention", "drill")
    }

    logs = {
        "jobs": split_workers.jobs.log(),
        "maintenance": split_workers.maintenance.log(),
    }
    for kind, run in runs.items():
        assert run.status == Status.SUCCEEDED, (kind, run.error, logs)
    assert logs["jobs"].count("succeeded in") == 1, logs["jobs"]
    assert logs["maintenance"].count("succeeded in") == 2, logs["maintenance"]
    with tenant_scope(tenant):
        audit = RetentionReceipt.objects.get(
            run_id=runs["retention"].pk, category="audit"
        )
    assert audit.outcome == "removed"


def test_the_app_role_is_told_it_cannot_purge_the_audit_log(db_roles) -> None:
    done = db_roles.python(PURGE_AS_APP)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("purge_role_missing "), done.stdout
    assert "maintenance worker" in done.stdout


def test_only_owner_jobs_are_sent_to_the_maintenance_queue(settings) -> None:
    settings.OPSYN_JOBS_QUEUE = "jobs"
    settings.OPSYN_MAINTENANCE_QUEUE = "maintenance"

    assert services.queue_for("backup") == "jobs"
    assert services.queue_for("retention") == "maintenance"
    assert services.queue_for("drill") == "maintenance"

    settings.OPSYN_MAINTENANCE_QUEUE = ""
    assert services.queue_for("retention") == "jobs"
