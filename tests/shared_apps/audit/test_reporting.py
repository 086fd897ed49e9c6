"""A tenant's reporting credentials read that tenant, and nothing else."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

pytestmark = pytest.mark.django_db

DENIED = (psycopg.errors.InsufficientPrivilege, psycopg.errors.ReadOnlySqlTransaction)


@pytest.fixture
def reporting_dsn(two_tenants, db_roles) -> Iterator[str]:
    created = db_roles.opsyn("reporting", "create", "alpha")
    assert created.returncode == 0, created.stderr
    assert "shown once" in created.stderr
    yield created.stdout.strip()
    dropped = db_roles.opsyn("reporting", "drop", "alpha")
    assert dropped.returncode == 0 or "no reporting role" in dropped.stderr, (
        dropped.stderr
    )


@pytest.fixture
def reporter(reporting_dsn) -> Iterator[psycopg.Connection]:
    conn = psycopg.connect(reporting_dsn, autocommit=True)
    yield conn
    conn.close()


def test_reporting_role_reads_its_own_tenant(reporter) -> None:
    row = reporter.execute("SELECT count(*) FROM contacts_contact").fetchone()
    assert row is not None and row[0] >= 2
    row = reporter.execute("SELECT count(*) FROM audit_event").fetchone()
    assert row is not None and row[0] > 0


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM bravo.contacts_contact",
        "SELECT * FROM public.accounts_user",
        "SELECT * FROM public.opsyn_sessions_session",
        "SELECT * FROM public.tenants_tenant",
        "SELECT alpha.opsyn_audit_append('x.y', 't', '1', '{}')",
    ],
)
def test_reporting_role_cannot_read_other_tenants_or_secrets(
    reporter, statement
) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        reporter.execute(statement)


def test_reporting_role_cannot_write_even_when_it_lifts_read_only(reporter) -> None:
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        reporter.execute("UPDATE contacts_contact SET name = 'x'")
    reporter.execute("SET default_transaction_read_only = off")
    for statement in (
        "UPDATE contacts_contact SET name = 'x'",
        "DELETE FROM audit_event",
        "CREATE TABLE sneaky (id int)",
    ):
        with pytest.raises(DENIED):
            reporter.execute(statement)


def test_reporting_role_has_a_statement_timeout(reporter) -> None:
    row = reporter.execute("SHOW statement_timeout").fetchone()
    assert row == ("30s",)


def test_rotate_prints_a_new_secret_and_drop_removes_the_role(
    reporting_dsn, db_roles
) -> None:
    rotated = db_roles.opsyn("reporting", "rotate", "alpha")
    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout.strip() != reporting_dsn
    assert rotated.stdout.startswith(f"postgresql://report_{db_roles.database}_alpha:")

    dropped = db_roles.opsyn("reporting", "drop", "alpha")
    assert dropped.returncode == 0, dropped.stderr
    with pytest.raises(psycopg.OperationalError, match="report_"):
        psycopg.connect(reporting_dsn).close()


def test_creating_a_second_role_for_a_tenant_is_refused(
    reporting_dsn, db_roles
) -> None:
    again = db_roles.opsyn("reporting", "create", "alpha")
    assert again.returncode == 1
    assert again.stderr.strip() == (
        "opsyn: alpha already has a reporting role; use rotate."
    )
