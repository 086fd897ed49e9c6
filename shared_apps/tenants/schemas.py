"""Tenant schemas: naming rules, the prepared pool, creation and removal.

Provisioning hands out a schema that was migrated ahead of time, renaming
it to the tenant's name inside the provisioning transaction; the rename is
transactional, so a failure leaves no tenant schema behind. Whatever is
handed out must match the tenant migrations in the code (its fingerprint).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from functools import cache

from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django_tenants.signals import schema_migrated

from opsyn.errors import InvalidInput

from .activation import use_public
from .models import PreparedSchema

log = logging.getLogger(__name__)

POOL_PREFIX = "_pool_"
_SLUG = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$")
_POOL_SCHEMA = re.compile(r"^_pool_[0-9a-f]{12}$")
_SCHEMA = re.compile(r"^[a-z][a-z0-9_]*$")
RESERVED_SCHEMAS = frozenset(
    {"public", "information_schema", "default", "template", "platform", "admin"}
)
MAX_IDENTIFIER_BYTES = 63
MAX_SLUG_LENGTH = 50  # Tenant.slug's column


def validate_slug(slug: str) -> str:
    """Return the slug if it can name a tenant, else raise ``InvalidInput``."""
    if len(slug or "") > MAX_SLUG_LENGTH:
        raise InvalidInput(
            f"Slug {slug[:20]!r}… is longer than {MAX_SLUG_LENGTH} characters."
        )
    if not slug or not _SLUG.match(slug):
        raise InvalidInput(
            f"Slug {slug!r} is not valid: use lowercase letters, digits and "
            "hyphens, starting with a letter and not ending with a hyphen."
        )
    return slug


def schema_name_for_slug(slug: str) -> str:
    """Return the schema name a slug maps to, validated."""
    validate_slug(slug)
    schema = slug.replace("-", "_")
    validate_schema_name(schema)
    return schema


def validate_schema_name(schema: str) -> None:
    """Raise ``InvalidInput`` unless the name is safe for a tenant schema."""
    if not _SCHEMA.match(schema):
        raise InvalidInput(
            f"Schema name {schema!r} may hold only lowercase letters, digits and "
            "underscores, starting with a letter."
        )
    if schema.startswith("pg_"):
        raise InvalidInput(f"Schema name {schema!r} may not start with 'pg_'.")
    if schema in RESERVED_SCHEMAS:
        raise InvalidInput(f"Schema name {schema!r} is reserved.")
    if len(schema.encode()) > MAX_IDENTIFIER_BYTES:
        raise InvalidInput(
            f"Schema name {schema!r} is longer than {MAX_IDENTIFIER_BYTES} bytes."
        )


def schema_exists(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema])
        return cursor.fetchone() is not None


@cache
def migration_fingerprint() -> str:
    """Return a digest of every tenant-app migration in the code."""
    return hashlib.sha256(
        "\n".join(
            f"{app}.{name}" for app, name in expected_tenant_migrations()
        ).encode()
    ).hexdigest()


def expected_tenant_migrations() -> list[tuple[str, str]]:
    """Return the (app, name) of every migration a tenant schema should have."""
    from django.conf import settings

    tenant_labels = {_label_for(name) for name in settings.TENANT_APPS}
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    return sorted(key for key in loader.disk_migrations if key[0] in tenant_labels)


def _label_for(app_name: str) -> str:
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name == app_name:
            return config.label
    raise LookupError(app_name)


def migrate_schema(schema: str, *, verbosity: int = 0) -> None:
    """Apply every pending tenant migration to one schema."""
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=schema,
        interactive=False,
        verbosity=verbosity,
    )
    use_public()


def prepare_schema() -> str:
    """Create and migrate one schema for the pool; return its name."""
    schema = f"{POOL_PREFIX}{secrets.token_hex(6)}"
    use_public()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
    try:
        migrate_schema(schema)
    except Exception:
        drop_schema(schema)
        raise
    PreparedSchema.objects.create(
        schema_name=schema, fingerprint=migration_fingerprint()
    )
    log.info("schema.prepared", extra={"schema": schema})
    return schema


def fill_pool(target: int) -> int:
    """Prepare schemas until ``target`` current ones wait; return how many."""
    current = PreparedSchema.objects.filter(fingerprint=migration_fingerprint())
    made = 0
    for _ in range(max(0, target - current.count())):
        prepare_schema()
        made += 1
    return made


def claim_prepared_schema(new_name: str) -> bool:
    """Rename a current prepared schema to ``new_name``; False if none waits.

    Must run inside the provisioning transaction: the claimed row is locked
    and deleted, and the rename is undone if the transaction rolls back.
    """
    assert transaction.get_connection().in_atomic_block
    from shared_apps.audit import provisioning

    if provisioning.connected_as_app_role():
        # Only the owner may rename; its function also refreshes the audit
        # functions and grants carry over with the schema.
        return provisioning.claim_as_app_role(new_name, migration_fingerprint())
    prepared = (
        PreparedSchema.objects.select_for_update(skip_locked=True)
        .filter(fingerprint=migration_fingerprint())
        .order_by("created_at")
        .first()
    )
    if prepared is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER SCHEMA "{prepared.schema_name}" RENAME TO "{new_name}"')
    prepared.delete()
    # Functions installed per schema (audit triggers) and grants name the
    # schema; django-tenants sends this signal after migrate and clone, and
    # a rename needs the same refresh, inside the same transaction.
    schema_migrated.send(sender=claim_prepared_schema, schema_name=new_name)
    return True


def drop_schema(schema: str) -> None:
    """Drop a schema and everything in it."""
    if not _POOL_SCHEMA.match(schema):
        validate_schema_name(schema)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
