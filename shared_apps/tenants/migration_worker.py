"""What a migration worker process runs.

Kept apart from ``migrating`` so that a freshly spawned process can load
these functions before Django is set up: nothing here imports models at
module level.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SchemaResult:
    schema: str
    ok: bool
    error: str = ""


def start(database: str) -> None:
    """Start Django in a migration worker, on the parent's database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsyn.settings")
    import django
    from django.conf import settings
    from django.db import connections

    django.setup()
    # The parent may have been pointed at another database after start-up
    # (a test database, say); the workers follow it, not the settings file.
    settings.DATABASES["default"]["NAME"] = database
    connections["default"].settings_dict["NAME"] = database


def migrate(schema: str) -> SchemaResult:
    """Migrate one schema; report the outcome instead of raising."""
    from . import schemas
    from .activation import use_public

    try:
        schemas.migrate_schema(schema)
    except Exception as exc:
        log.error("schema.migrate_failed", extra={"schema": schema, "error": str(exc)})
        use_public()
        return SchemaResult(schema, False, f"{type(exc).__name__}: {exc}")
    log.info("schema.migrated", extra={"schema": schema})
    return SchemaResult(schema, True)
