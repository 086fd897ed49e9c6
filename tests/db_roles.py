"""Separate database roles, as production runs them, for the audit tests.

Roles belong to the whole PostgreSQL server, so their names carry the test
database's name and are dropped again at the end of the session.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest


@dataclass(frozen=True)
class Roles:
    app: str
    purge: str
    database: str
    host: str
    port: str

    def url(self, role: str) -> str:
        port = f":{self.port}" if self.port else ""
        return f"postgresql://{role}@{self.host}{port}/{self.database}"

    def python(self, code: str) -> subprocess.CompletedProcess[str]:
        """Run Python in a platform process connected as the app role."""
        return self._run(["-c", code], owner=False)

    def opsyn(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the operator CLI as its own process, with separate roles.

        The CLI connects as the owner (the test database's superuser); the
        application role is the one in DATABASE_URL, as in production.
        """
        return self._run(["-m", "opsyn.cli", *args], owner=True)

    def _run(self, argv: list[str], *, owner: bool) -> subprocess.CompletedProcess[str]:
        from tests.conftest import REPO_ROOT, service_env

        env = service_env()
        env.update(
            DATABASE_OWNER_URL=env["DATABASE_URL"],
            DATABASE_URL=self.url(self.app),
            OPSYN_DATABASE_PURGE_ROLE=self.purge,
            OPSYN_LOG_LEVEL="WARNING",
        )
        if not owner:
            env.pop("OPSYN_DATABASE_AS_OWNER", None)
        return subprocess.run(
            [sys.executable, *argv],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def connect(self, role: str, schema: str) -> psycopg.Connection:
        """Connect as ``role`` with a tenant's search path, autocommitting."""
        conn = psycopg.connect(
            host=self.host,
            port=self.port or "5432",
            dbname=self.database,
            user=role,
            autocommit=True,
        )
        conn.execute(f'SET search_path = "{schema}", public')
        return conn


@pytest.fixture(scope="session")
def db_roles(two_tenants, django_db_blocker) -> Iterator[Roles]:
    from django.db import connection

    from shared_apps.audit import grants, provisioning
    from shared_apps.tenants.migrating import managed_schemas

    with django_db_blocker.unblock():
        database = connection.settings_dict["NAME"]
        suffix = database.removeprefix("test_")
        roles = Roles(
            app=f"app_{suffix}",
            purge=f"purge_{suffix}",
            database=database,
            host=connection.settings_dict["HOST"] or "127.0.0.1",
            port=str(connection.settings_dict["PORT"] or ""),
        )
        with connection.cursor() as cursor:
            for role in (roles.app, roles.purge):
                cursor.execute(f'DROP ROLE IF EXISTS "{role}"')
            cursor.execute(f'CREATE ROLE "{roles.app}" LOGIN')
            cursor.execute(f'CREATE ROLE "{roles.purge}" NOLOGIN')
            cursor.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{roles.app}"')
        for schema in ["public", *managed_schemas()]:
            grants.apply(schema, app_role=roles.app, purge_role=roles.purge)
        provisioning.install_claim_function(app_role=roles.app)
    yield roles
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for role in (roles.app, roles.purge):
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'REVOKE ALL ON DATABASE "{database}" FROM "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')
