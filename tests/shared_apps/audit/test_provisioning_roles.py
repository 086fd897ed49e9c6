"""With web running as the application role, provisioning still works."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db

PROVISION = """
import django, json
django.setup()
from opsyn import context
from shared_apps.tenants.services import provision_tenant
with context.bound(actor="user:4242", ip="192.0.2.7"):
    tenant = provision_tenant(
        actor="operator:4242", name="Roles", slug="{slug}", domain="{slug}.localhost"
    )
from django.db import connection
user = connection.settings_dict["USER"]
print(json.dumps({{"schema": tenant.schema_name, "user": user}}))
"""


def test_app_role_provisions_from_the_pool_and_the_new_tenant_is_audited(
    db_roles, unique_slug
) -> None:
    filled = db_roles.opsyn("pool", "fill", "--size", "1")
    assert filled.returncode == 0, filled.stderr

    done = db_roles.python(PROVISION.format(slug=unique_slug))
    try:
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout.strip().splitlines()[-1])
        schema = result["schema"]
        assert result["user"] == db_roles.app

        conn = db_roles.connect(db_roles.app, schema)
        try:
            conn.execute(
                "INSERT INTO contacts_contact (name, email, phone, "
                "organisation, notes, created_at, updated_at) VALUES "
                "('New tenant', '', '', '', '', now(), now())"
            )
            row = conn.execute(
                "SELECT tenant, table_name, operation FROM audit_event "
                "ORDER BY id DESC LIMIT 1"
            ).fetchone()
            assert row == (schema, "contacts_contact", "INSERT")
        finally:
            conn.close()
        verified = db_roles.opsyn("audit", "verify", "--tenant", unique_slug)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert f"{schema}: ok" in verified.stdout

        # Read over its own connection: this test's transaction must hold no
        # locks that the deletion below would wait for.
        conn = db_roles.connect(db_roles.app, "public")
        try:
            created = conn.execute(
                "SELECT actor, ip FROM platform_audit_event WHERE table_name = "
                "'tenants_tenant' AND operation = 'INSERT' AND "
                "changes -> 'slug' ->> 'new' = %s",
                [unique_slug],
            ).fetchall()
        finally:
            conn.close()
        assert created == [("user:4242", "192.0.2.7")]
    finally:
        db_roles.opsyn("tenants", "delete", unique_slug, "--yes")


def test_app_role_without_a_prepared_schema_gets_a_clear_refusal(
    db_roles, unique_slug
) -> None:
    # The test settings keep no pool; the test above used the one it made.
    done = db_roles.python(PROVISION.format(slug=unique_slug))
    assert done.returncode != 0
    assert "an operator must run `opsyn pool fill` first" in done.stderr
