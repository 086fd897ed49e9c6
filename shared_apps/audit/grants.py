"""Privileges of the application and reporting roles on one schema.

The owner role (migrations, provisioning) owns every table and function.
The application role gets data privileges on ordinary tables, only SELECT
on the audit log and its chain head, and EXECUTE on the append function; it
owns nothing, so it cannot alter, disable or replace triggers. Default
privileges cannot keep UPDATE and DELETE off new audit tables and a cloned
schema copies its template's grants, so all of this is re-applied after
every migrate, provisioning and clone.

With a single database role (local development, the test database) there
is nothing to grant and immutability rests on the guard triggers alone.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import connection

from .capture import log_tables


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def role_exists(role: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        return cursor.fetchone() is not None


def apply(
    schema: str,
    *,
    app_role: str | None = None,
    purge_role: str | None = None,
    reporting_role: str | None = None,
) -> None:
    """Re-apply the privileges of every configured role on a schema."""
    app = settings.OPSYN_DB_APP_ROLE if app_role is None else app_role
    purge = settings.OPSYN_DB_PURGE_ROLE if purge_role is None else purge_role
    s = _q(schema)
    tables = log_tables(schema)
    log_names = f"{s}.{tables.event}, {s}.{tables.chain}"
    statements = [
        # Functions are executable by PUBLIC by default; the SECURITY DEFINER
        # ones must not be, or a reporting role could append to the log.
        f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {s} FROM PUBLIC",
    ]
    if app and role_exists(app):
        a = _q(app)
        statements += [
            f"GRANT USAGE ON SCHEMA {s} TO {a}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {a}",
            f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {s} "
            f"FROM {a}",
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {s} TO {a}",
            f"REVOKE ALL ON {log_names} FROM {a}",
            f"GRANT SELECT ON {log_names} TO {a}",
            f"REVOKE ALL ON SEQUENCE {s}.{tables.event}_id_seq FROM {a}",
            # Reading its position is what a backup of the schema needs;
            # drawing from or setting it stays refused.
            f"GRANT SELECT ON SEQUENCE {s}.{tables.event}_id_seq TO {a}",
            f"GRANT EXECUTE ON FUNCTION {s}.opsyn_audit_append(text, text, text, "
            f"jsonb) TO {a}",
        ]
        if schema == "public":
            statements.append(
                f"REVOKE INSERT, UPDATE, DELETE ON public.platform_audit_purge_receipt "
                f"FROM {a}"
            )
    if purge and role_exists(purge):
        statements += [
            f"GRANT USAGE ON SCHEMA {s} TO {_q(purge)}",
            f"GRANT EXECUTE ON FUNCTION {s}.opsyn_audit_purge(timestamptz) "
            f"TO {_q(purge)}",
        ]
    reporter = reporting_role or reporting_role_name(schema)
    if schema != "public" and role_exists(reporter):
        statements += reporting_grants(schema, reporter)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def reporting_role_name(schema: str) -> str:
    """Return the name of a tenant's read-only reporting role.

    Roles belong to the whole server while schema names are per database,
    so the name carries the database's too: two databases on one server
    (staging beside production, or test runs) never share a role.
    """
    database = str(connection.settings_dict["NAME"])
    name = f"report_{database}_{schema}"
    if len(name.encode()) > 63:
        digest = hashlib.sha256(f"{database}/{schema}".encode()).hexdigest()[:12]
        name = f"report_{digest}_{schema}"[:63]
    return name


def reporting_grants(schema: str, role: str) -> list[str]:
    s, r = _q(schema), _q(role)
    return [
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {r}",
    ]
