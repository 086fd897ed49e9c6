"""Copy the security log's events (sign-in, 2FA, sessions) into the audit log.

``shared_apps.security.events.record`` writes every security event to the
``opsyn.security`` logger with its schema, user, IP and session. This
handler appends each one to that schema's audit log as an event of kind
``security.<kind>``, so the organisation's log shows them beside the data
changes. A failure to append is reported on another logger and never
breaks the request that caused the event.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, connection, transaction

from opsyn import context

SECURITY_LOGGER = "opsyn.security"
# Attributes every LogRecord has; anything else came from ``extra``.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_failures = logging.getLogger("opsyn.audit.security")


class AuditSecurityHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        kind = str(record.msg)
        fields = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        schema = str(fields.pop("schema", "") or "public")
        user_id = fields.get("user_id")
        ip = str(fields.get("ip") or "")
        session = str(fields.get("session") or "")
        work = context.current()
        actor = f"user:{user_id}" if user_id else work.actor
        details = {k: _plain(v) for k, v in fields.items()}
        try:
            with (
                context.bound(
                    actor=actor or "anonymous",
                    ip=ip or work.ip,
                    session=session or work.session,
                ),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                q = connection.ops.quote_name(schema)
                cursor.execute(
                    f"SELECT {q}.opsyn_audit_append(%s, %s, %s, %s::jsonb)",
                    [
                        f"security.{kind}",
                        "security",
                        str(user_id or ""),
                        _json(details),
                    ],
                )
        except (DatabaseError, transaction.TransactionManagementError) as exc:
            _failures.error(
                "audit.security_event_lost",
                extra={"kind": kind, "schema": schema, "error": str(exc)},
            )


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _json(details: dict[str, Any]) -> str:
    import json

    return json.dumps(details, sort_keys=True)


def install() -> None:
    """Attach the handler to the security logger (once)."""
    logger = logging.getLogger(SECURITY_LOGGER)
    if not any(isinstance(h, AuditSecurityHandler) for h in logger.handlers):
        logger.addHandler(AuditSecurityHandler(level=logging.INFO))
