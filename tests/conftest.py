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
from typing import Any

import pytest

# Separate owner / application / purge roles, for the audit log's tests.
from tests.db_roles import db_roles  # noqa: F401

PASSWORD = "correct horse battery staple 42"
REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class TenantFixture:
    slug: str
    host: str
    tenant: object
    member_email: str
    contact_names: list[str]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last.

    Playwright keeps an event loop running in the test thread from the first
    browser test to the end of the session, and Django keys database
    connections differently while one runs; nothing else should run then.
    """
    browser = [item for item in items if "tests/browser/" in item.nodeid]
    others = [item for item in items if "tests/browser/" not in item.nodeid]
    items[:] = others + browser


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: pytest.FixtureRequest,
    django_db_keepdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """Create the test database for every session that touches the database.

    pytest-django creates it only when some collected test carries the
    ``django_db`` mark; a session of unmarked tests that commit through
    session fixtures would otherwise write to the configured database.
    """
    from django.test.utils import setup_databases, teardown_databases

    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        config = setup_databases(
            verbosity=verbosity,
            interactive=False,
            keepdb=django_db_keepdb,
            # django-stubs says Mapping; Django only tests membership.
            aliases={"default"},  # type: ignore[arg-type]
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():  # type: ignore[attr-defined]
            _end_other_sessions()
            teardown_databases(config, verbosity=verbosity)


def _end_other_sessions() -> None:
    """End the test database's other sessions, so it can be dropped.

    Connections opened beside Playwright's event loop, and the last breath of
    stopped service processes, can outlive the tests that made them.
    """
    from django.db import connection, connections

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connections.close_all()


@pytest.fixture(autouse=True)
def _clean_caches() -> Iterator[None]:
    from django.core.cache import caches

    from shared_apps.tenants.activation import use_public
    from shared_apps.tenants.caching import forget_local_routes
    from shared_apps.tenants.selectors import forget_runnable_tenants

    # A request served by the test client leaves its tenant's schema on the
    # connection (the next request would reset it); each test starts public.
    use_public()
    caches["platform"].clear()
    forget_local_routes()
    forget_runnable_tenants()
    yield
    caches["platform"].clear()
    forget_local_routes()
    forget_runnable_tenants()


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
    user = create_user(
        actor="test", email=email, password=PASSWORD, email_verified=True
    )
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
    from django.db import connection

    from shared_apps.tenants import services

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        # Committed data must only ever reach a test database.
        assert connection.settings_dict["NAME"].startswith("test_")
        alpha = _provision("alpha", ["Alpha Ada", "Alpha Alan"])
        bravo = _provision("bravo", ["Bravo Grace", "Bravo Katherine", "Bravo Mary"])
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


def start_worker(log_path: Path, env: dict[str, str], *options: str) -> WorkerProcess:
    """Start a real Celery worker (one process, solo pool) logging to a file."""
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
                *options,
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    return WorkerProcess(process, log_path)


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
        OPSYN_CACHE_URL=settings.CACHES["default"]["LOCATION"],
        DJANGO_SETTINGS_MODULE="tests.settings",
        PYTHONPATH=str(REPO_ROOT),
        OPSYN_DEBUG="1",
    )
    return env


@pytest.fixture(scope="session")
def celery_worker(
    two_tenants, tmp_path_factory, django_db_blocker
) -> Iterator[WorkerProcess]:
    """A real Celery worker process on the test database and broker."""
    from opsyn.celery import app

    app.control.purge()
    worker = start_worker(
        tmp_path_factory.mktemp("worker") / "worker.log", service_env()
    )
    try:
        if not worker.wait_for_log("ready.", timeout=60):
            raise RuntimeError(f"celery worker did not start:\n{worker.log()}")
        yield worker
    finally:
        _stop(worker.process, django_db_blocker)


def _stop(process: subprocess.Popen[str], blocker: object) -> None:
    """Stop a service process and wait until its database sessions are gone.

    PostgreSQL notices a closed connection a moment after the client exits;
    dropping the test database before then fails.
    """
    from django.db import connection

    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    with blocker.unblock():  # type: ignore[attr-defined]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                    "current_database() AND pid <> pg_backend_pid()"
                )
                if cursor.fetchone()[0] == 0:
                    return
            time.sleep(0.1)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class WebServer:
    port: int
    process: subprocess.Popen[str]

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture(scope="session")
def web_server(
    two_tenants, smtp_server, tmp_path_factory, django_db_blocker
) -> Iterator[WebServer]:
    """The platform's WSGI app under gunicorn, on the test database."""
    import urllib.request

    port = _free_port()
    log_path = tmp_path_factory.mktemp("web") / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "opsyn.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
                # gunicorn's control socket has one fixed path per user;
                # a developer's running platform would hold it.
                "--no-control-socket",
            ],
            cwd=REPO_ROOT,
            env=service_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    server = WebServer(port, process)
    deadline = time.monotonic() + 60
    try:
        while True:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/healthz", headers={"Host": "localhost"}
            )
            try:
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(
                        f"web server did not start:\n{log_path.read_text()}"
                    ) from None
                time.sleep(0.3)
        yield server
    finally:
        _stop(process, django_db_blocker)


@dataclass
class Mailbox:
    """Messages received by the local SMTP server, oldest first."""

    host: str
    port: int
    messages: list[Any]

    def wait_for(self, to: str, timeout: float = 15.0) -> Any:
        """Return the newest message to an address, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(self.messages):
                if to.lower() in message["To"].lower():
                    return message
            time.sleep(0.1)
        raise AssertionError(f"no mail to {to} arrived")

    def link_in(self, message: Any) -> str:
        import re

        found = re.search(r"https?://\S+", message.get_payload(decode=True).decode())
        assert found, "the message has no link"
        return found.group(0)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on a free port, for this test run.

    Processes the tests start (web server, worker) send to it too: its
    address goes into the environment they inherit.
    """
    import email
    from email import policy

    from aiosmtpd.controller import Controller

    received: list[Any] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(
                email.message_from_bytes(envelope.content, policy=policy.default)
            )
            return "250 OK"

    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    os.environ["OPSYN_SMTP_HOST"] = "127.0.0.1"
    os.environ["OPSYN_SMTP_PORT"] = str(port)
    try:
        yield Mailbox("127.0.0.1", port, received)
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp_server: Mailbox, settings: Any) -> Mailbox:
    """Send this test's mail in-process to the SMTP server, and read it."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    smtp_server.messages.clear()
    return smtp_server
