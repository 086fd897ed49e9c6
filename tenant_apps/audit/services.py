"""Changes to the organisation's audit log: append events, purge by retention.

Rows are never written from Python directly: ``record_event`` goes through
the schema's append function (which chains the event), and the purge
through the schema's purge function, run as the dedicated purge role.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from opsyn import context
from opsyn.errors import InvalidInput, PlatformError
from shared_apps.audit.grants import role_exists
from shared_apps.audit.models import PurgeReceipt
from shared_apps.tenants.activation import PUBLIC_SCHEMA, current_schema

log = logging.getLogger(__name__)


def record_event(
    *, kind: str, entity: str, object_id: str, details: dict[str, Any] | None = None
) -> int:
    """Append a non-row event (a security event, say) to the current log.

    The actor, IP, session and request come from the work context, as for
    row events. Returns the new event's id.
    """
    if not kind or "." not in kind:
        raise InvalidInput(f"Event kind {kind!r} must be a dotted name.")
    schema = current_schema()
    q = connection.ops.quote_name(schema)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {q}.opsyn_audit_append(%s, %s, %s, %s::jsonb)",
            [kind, entity, object_id, json.dumps(details or {})],
        )
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def purge_expired(*, actor: str, cutoff: datetime) -> PurgeReceipt | None:
    """Remove the current tenant's audit events older than ``cutoff``.

    Runs the schema's purge function as the purge role when it exists (the
    calling process must be a member: the owner is), cutting only between
    batches, and records a receipt in the public schema: the id range, the
    count and the chain head at the cut, from which verification of the
    remaining events starts. Returns None when nothing was old enough.
    The function itself refuses a cutoff younger than the retention floor.
    """
    if not actor:
        raise InvalidInput("A purge needs a named actor.")
    if cutoff.tzinfo is None:
        raise InvalidInput("The cutoff must be timezone-aware.")
    schema = current_schema()
    if schema == PUBLIC_SCHEMA:
        raise InvalidInput("Purge runs inside a tenant.")
    q = connection.ops.quote_name(schema)
    purge_role = settings.OPSYN_DB_PURGE_ROLE

    with context.bound(actor=actor), transaction.atomic():
        use_role = bool(purge_role) and role_exists(purge_role)
        if use_role and not _may_become(purge_role):
            raise PlatformError(
                f"Purging the audit log needs the {purge_role} role, which this "
                "process's database role is not granted: run retention on the "
                "maintenance worker (OPSYN_MAINTENANCE_QUEUE) or from the CLI.",
                code="purge_role_missing",
            )
        with connection.cursor() as cursor:
            if use_role:
                cursor.execute(
                    f"SET LOCAL ROLE {connection.ops.quote_name(purge_role)}"
                )
            # The schema name is quoted; the cutoff is a parameter.
            columns = "first_id, last_id, removed, head"
            purge = f"SELECT {columns} FROM {q}.opsyn_audit_purge(%s)"  # noqa: S608
            cursor.execute(purge, [cutoff])
            first_id, last_id, removed, head = cursor.fetchone() or (0, 0, 0, "")
            if use_role:
                cursor.execute("RESET ROLE")
        if not removed:
            return None
        receipt = PurgeReceipt.objects.create(
            schema_name=schema,
            actor=actor,
            cutoff=cutoff,
            first_event_id=first_id,
            last_event_id=last_id,
            removed=removed,
            head_at_cut=head,
        )
        record_event(
            kind="audit.purged",
            entity="audit_event",
            object_id=f"{first_id}-{last_id}",
            details={
                "removed": removed,
                "head_at_cut": head,
                "cutoff": cutoff.isoformat(),
            },
        )
    log.info(
        "audit.purged",
        extra={
            "actor": actor,
            "schema": schema,
            "removed": removed,
            "through": last_id,
        },
    )
    return receipt


def _may_become(role: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_has_role(current_user, %s, 'MEMBER')", [role])
        row = cursor.fetchone()
    return bool(row and row[0])
