"""Fixtures shared by the whole suite.

The suite runs against real PostgreSQL and Redis. Tenants that tests share
are provisioned once per session and committed, so pages, live servers and
Celery workers all see them; each test's own writes roll back.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "correct horse battery staple 42"
REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class TenantFixture:
    slug: str
    host: str
    tenant: object
    member_email: str
    contact_names: list[str]


@pytest.fixture(autouse=True)
def _clean_caches() -> Iterator[None]:
    from django.core.cache import caches

    caches["platform"].clear()
    yield
    caches["platform"].clear()


def _provision(slug: str, contacts: list[str]) -> TenantFixture:
    from shared_apps.accounts.services import create_user
    from shared_apps.tenants import services
    from shared_apps.tenants.activation import tenant_scope
    from tenant_apps.contacts.services import create_contact
    from tenant_apps.members.models import Role
    from tenant_apps.members.services import add_member

    host = f"{slug}.localhost"
    tenant = services.provision_tenant(
        actor="test", name=slug.title(), slug=slug, domain=host
    )
    email = f"member@{slug}.example.com"
    user = create_user(actor="test", email=email, password=PASSWORD)
    with tenant_scope(tenant):
        add_member(actor="test", user=user, role=Role.ADMIN)
        for name in contacts:
            create_contact(actor_id=user.pk, name=name, email="")
    return TenantFixture(slug, host, tenant, email, contacts)


@pytest.fixture(scope="session")
def two_tenants(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> Iterator[tuple[TenantFixture, TenantFixture]]:
    """Tenants alpha and bravo, each with a member and its own contacts."""
    from shared_apps.tenants import services

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        alpha = _provision("alpha", ["Alpha Ada", "Alpha Alan"])
        bravo = _provision("bravo", ["Bravo Grace", "Bravo Katherine"])
    yield alpha, bravo
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        for fixture in (alpha, bravo):
            services.delete_tenant(actor="test", slug=fixture.slug)


@pytest.fixture
def unique_slug() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


@dataclass
class WorkerProcess:
    process: subprocess.Popen[str]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return True
            if self.process.poll() is not None:
                return False
            time.sleep(0.2)
        return False


def _database_url() -> str:
    """Return a URL for the test database, for processes the tests start."""
    from django.conf import settings

    db = {key: str(value) for key, value in settings.DATABASES["default"].items()}
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host = db["HOST"]
    if host.startswith("/"):
        return f"postgresql://{auth}@/{db['NAME']}?host={host}"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgresql://{auth}@{host}{port}/{db['NAME']}"


def service_env() -> dict[str, str]:
    """Environment for a platform process that works on the test database."""
    from django.conf import settings

    env = dict(os.environ)
    env.update(
        DATABASE_URL=_database_url(),
        REDIS_URL=settings.CELERY_BROKER_URL,
        DJANGO_SETTINGS_MODULE="tests.settings",
        PYTHONPATH=str(REPO_ROOT),
        OPSYN_DEBUG="1",
    )
    return env


@pytest.fixture(scope="session")
def celery_worker(two_tenants, tmp_path_factory) -> Iterator[WorkerProcess]:
    """A real Celery worker process on the test database and broker."""
    from opsyn.celery import app

    app.control.purge()
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "opsyn",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=REPO_ROOT,
            env=service_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    worker = WorkerProcess(process, log_path)
    try:
        if not worker.wait_for_log("ready.", timeout=60):
            raise RuntimeError(f"celery worker did not start:\n{worker.log()}")
        yield worker
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
