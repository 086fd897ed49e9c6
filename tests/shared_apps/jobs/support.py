"""Fixtures for tests of scheduled per-tenant jobs, backups and retention.

These tests need committed data (workers, web servers and second database
sessions must see it), so they run without a wrapping test transaction and
clean up what they make.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest

from tests.conftest import WorkerProcess, service_env, start_worker


@pytest.fixture
def live_db(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Database access in autocommit, outside any test transaction."""
    from django.db import connection

    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
        assert name.startswith("test_"), name
        yield


@pytest.fixture
def backup_dir(tmp_path: Path, settings: Any) -> Path:
    settings.OPSYN_BACKUP_DIR = tmp_path / "backups"
    settings.OPSYN_BACKUP_KEY = ""
    return tmp_path / "backups"


@dataclass
class ScratchTenants:
    made: list[str]

    def provision(self, *, contacts: list[str] = ()) -> Any:  # type: ignore[assignment]
        from shared_apps.tenants import services
        from shared_apps.tenants.activation import tenant_scope
        from tenant_apps.contacts.services import create_contact

        slug = f"j{uuid.uuid4().hex[:10]}"
        tenant = services.provision_tenant(
            actor="test", name=slug.title(), slug=slug, domain=f"{slug}.localhost"
        )
        self.made.append(slug)
        with tenant_scope(tenant):
            for name in contacts:
                create_contact(actor_id=None, name=name, email=f"{name}@example.com")
        return tenant

    def remember(self, slug: str) -> None:
        self.made.append(slug)


@pytest.fixture
def scratch_tenants(live_db: None) -> Iterator[ScratchTenants]:
    """Provision throw-away tenants; delete them (and their runs) afterwards."""
    from shared_apps.jobs.models import JobRun
    from shared_apps.tenants import services
    from shared_apps.tenants.activation import use_public
    from shared_apps.tenants.models import Tenant

    made = ScratchTenants([])
    yield made
    use_public()
    for slug in made.made:
        if Tenant.objects.filter(slug=slug).exists():
            JobRun.objects.filter(tenant__slug=slug).delete()
            services.delete_tenant(actor="test", slug=slug)


def wait_for(predicate: Callable[[], object], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


class KillableWorker:
    """A Celery worker of the tests' own, which a test may SIGKILL."""

    def __init__(self, log_dir: Path, env: dict[str, str]) -> None:
        self._log_dir = log_dir
        self._env = env
        self.current: WorkerProcess | None = None
        self._count = 0

    def start(self) -> WorkerProcess:
        self._count += 1
        log_path = self._log_dir / f"worker-{self._count}.log"
        worker = start_worker(
            log_path, self._env, f"--queues={self._env['OPSYN_JOBS_QUEUE']}"
        )
        if not worker.wait_for_log("ready.", timeout=60):
            raise RuntimeError(f"worker did not start:\n{worker.log()}")
        self.current = worker
        return worker

    def kill(self) -> None:
        assert self.current is not None
        os.kill(self.current.process.pid, signal.SIGKILL)
        self.current.process.wait()

    def stop(self) -> None:
        if self.current and self.current.process.poll() is None:
            self.current.process.terminate()
            try:
                self.current.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.current.process.kill()
                self.current.process.wait()


@pytest.fixture
def killable_worker(
    live_db: None, tmp_path: Path, backup_dir: Path, settings: Any
) -> Iterator[KillableWorker]:
    """Workers on a queue of their own, sharing the test's backup folder.

    The queue keeps the session's shared worker from taking these runs.
    """
    from opsyn.celery import app

    queue = f"jobs-test-{uuid.uuid4().hex[:8]}"
    settings.OPSYN_JOBS_QUEUE = queue
    env = service_env()
    env.update(
        OPSYN_BACKUP_DIR=str(backup_dir), OPSYN_BACKUP_KEY="", OPSYN_JOBS_QUEUE=queue
    )
    workers = KillableWorker(tmp_path, env)
    try:
        yield workers
    finally:
        workers.stop()
        with app.connection_for_write() as conn:
            cast(Any, conn.default_channel).queue_delete(queue)
