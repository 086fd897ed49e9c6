"""Per-tenant read-only reporting credentials.

Each tenant may have one PostgreSQL role, ``report_<database>_<schema>``, that
can SELECT the tables of that tenant's schema and nothing else: no public
table (users, sessions, OTP devices), no other tenant. It holds no write
privilege anywhere, so turning ``default_transaction_read_only`` off does
not let it write. Its ``statement_timeout`` is a role default, which the
role itself can raise: production enforces a limit outside the role (see
the operator guide).

Runs as the owner role (the CLI does); ARCHITECTURE.md records that on
PostgreSQL 15 a separate role-admin role is the safer holder of CREATEROLE.
"""

from __future__ import annotations

import secrets
from urllib.parse import quote

from django.conf import settings
from django.db import connection, transaction

from opsyn.errors import Conflict, NotFound
from shared_apps.tenants.selectors import tenant_by_slug

from .grants import reporting_grants, reporting_role_name, role_exists


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _dsn(role: str, password: str, schema: str) -> str:
    db = connection.settings_dict
    host = str(db.get("HOST") or "127.0.0.1")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return (
        f"postgresql://{quote(role)}:{quote(password)}@{host}{port}/"
        f"{quote(str(db['NAME']))}?options=-csearch_path%3D{schema}"
    )


def create_reporting_role(*, actor: str, slug: str) -> str:
    """Create a tenant's reporting role; return its connection string (once)."""
    tenant = tenant_by_slug(slug)
    schema = tenant.schema_name
    role = reporting_role_name(schema)
    if role_exists(role):
        raise Conflict(f"{slug} already has a reporting role; use rotate.")
    password = secrets.token_urlsafe(24)
    r = _q(role)
    timeout = settings.OPSYN_REPORTING_STATEMENT_TIMEOUT
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE ROLE {r} LOGIN NOINHERIT CONNECTION LIMIT 5 PASSWORD %s",
            [password],
        )
        cursor.execute(f"ALTER ROLE {r} SET default_transaction_read_only = on")
        cursor.execute(f"ALTER ROLE {r} SET statement_timeout = %s", [timeout])
        cursor.execute(f"ALTER ROLE {r} SET search_path = {_q(schema)}")
        cursor.execute(
            f"GRANT CONNECT ON DATABASE {_q(str(connection.settings_dict['NAME']))} "
            f"TO {r}"
        )
        for statement in reporting_grants(schema, role):
            cursor.execute(statement)
    return _dsn(role, password, schema)


def rotate_reporting_role(*, actor: str, slug: str) -> str:
    """Give a tenant's reporting role a new password; return the new string."""
    schema = tenant_by_slug(slug).schema_name
    role = reporting_role_name(schema)
    if not role_exists(role):
        raise NotFound(f"{slug} has no reporting role; create one first.")
    password = secrets.token_urlsafe(24)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER ROLE {_q(role)} PASSWORD %s", [password])
    return _dsn(role, password, schema)


def drop_reporting_role(*, actor: str, slug: str) -> None:
    """Remove a tenant's reporting role and every privilege it held."""
    schema = tenant_by_slug(slug).schema_name
    role = reporting_role_name(schema)
    if not role_exists(role):
        raise NotFound(f"{slug} has no reporting role.")
    r = _q(role)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
            [role],
        )
        cursor.execute(f"DROP OWNED BY {r}")
        cursor.execute(
            f"REVOKE ALL ON DATABASE {_q(str(connection.settings_dict['NAME']))} "
            f"FROM {r}"
        )
        cursor.execute(f"DROP ROLE {r}")
