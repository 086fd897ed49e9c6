"""As the application's role, the audit log can be added to, never changed."""

from __future__ import annotations

import psycopg
import pytest

pytestmark = pytest.mark.django_db

REFUSED = (psycopg.errors.InsufficientPrivilege, psycopg.errors.RaiseException)


@pytest.fixture
def app(db_roles, two_tenants):
    conn = db_roles.connect(db_roles.app, two_tenants[0].tenant.schema_name)
    yield conn
    conn.close()


def _count(conn: psycopg.Connection, sql: str) -> int:
    row = conn.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def test_app_role_writes_are_audited_through_the_trigger(app) -> None:
    before = _count(app, "SELECT count(*) FROM audit_event")
    # Rolled back at the end: the tenants are shared by the whole session.
    with app.transaction(force_rollback=True):
        app.execute(
            "SELECT set_config('opsyn.context', '{\"actor\": \"user:99\"}', true)"
        )
        app.execute(
            "INSERT INTO contacts_contact (name, email, phone, organisation, "
            "notes, created_at, updated_at) VALUES ('Via app role', '', '', '', "
            "'', now(), now())"
        )
        row = app.execute(
            "SELECT actor, operation FROM audit_event ORDER BY id DESC LIMIT 1"
        ).fetchone()
        assert row == ("user:99", "INSERT")
        assert _count(app, "SELECT count(*) FROM audit_event") == before + 1
    assert _count(app, "SELECT count(*) FROM audit_event") == before


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET actor = 'someone else'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
        "INSERT INTO audit_event (occurred_at, kind, tenant, table_name, object_id, "
        "operation, changes, actor, ip, session_id, request_id, row_hash, prev_hash, "
        "chain_hash) VALUES (now(), 'row', 'x', 'x', '1', 'INSERT', '{}', 'forged', "
        "'', '', '', '', '', '')",
        "UPDATE audit_chain SET head = 'x'",
        "SELECT nextval('audit_event_id_seq')",
        "SELECT setval('audit_event_id_seq', 1)",
        "ALTER TABLE contacts_contact DISABLE TRIGGER ALL",
        "ALTER TABLE contacts_contact DISABLE TRIGGER opsyn_audit_update",
        "DROP TRIGGER opsyn_audit_update ON contacts_contact",
        "CREATE OR REPLACE FUNCTION opsyn_audit_capture() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
        "DROP FUNCTION opsyn_audit_capture() CASCADE",
        "ALTER TABLE audit_event DISABLE TRIGGER opsyn_audit_guard",
        "SET session_replication_role = replica",
        "SELECT opsyn_audit_purge(now() - interval '400 days')",
    ],
)
def test_app_role_cannot_change_the_log_or_its_triggers(app, statement) -> None:
    with pytest.raises(REFUSED):
        app.execute(statement)


def test_guard_refuses_changes_even_where_privileges_would_allow(two_tenants) -> None:
    from django.db import DatabaseError, connection

    from shared_apps.tenants.activation import tenant_scope

    # The test database's own role owns the tables: only the guard stands.
    with (
        tenant_scope(two_tenants[0].tenant),
        connection.cursor() as cursor,
        pytest.raises(DatabaseError, match="append-only"),
    ):
        cursor.execute("UPDATE audit_event SET actor = 'x'")


def test_a_table_added_by_a_later_migration_is_tracked_and_protected(
    db_roles, two_tenants
) -> None:
    schema = two_tenants[0].tenant.schema_name
    owner = psycopg.connect(
        host=db_roles.host, dbname=db_roles.database, user="postgres", autocommit=True
    )
    owner.execute(
        f'CREATE TABLE "{schema}".audit_probe (id bigserial PRIMARY KEY, note text)'
    )
    try:
        # What every migrate, provisioning and clone ends with.
        done = db_roles.opsyn("audit", "install", "--tenant", "alpha")
        assert done.returncode == 0, done.stderr
        assert "alpha:" in done.stdout

        conn = db_roles.connect(db_roles.app, schema)
        try:
            conn.execute("INSERT INTO audit_probe (note) VALUES ('hello')")
            row = conn.execute(
                "SELECT table_name, changes -> 'note' ->> 'new' FROM audit_event "
                "ORDER BY id DESC LIMIT 1"
            ).fetchone()
            assert row == ("audit_probe", "hello")
            for statement in (
                "ALTER TABLE audit_probe DISABLE TRIGGER ALL",
                "DROP TRIGGER opsyn_audit_insert ON audit_probe",
                "DELETE FROM audit_event",
                "TRUNCATE audit_event",
            ):
                with pytest.raises(REFUSED):
                    conn.execute(statement)
        finally:
            conn.close()
    finally:
        owner.execute(f'DROP TABLE "{schema}".audit_probe')
        owner.close()
