"""Structured log lines: a dotted event name, then key=value fields."""

from __future__ import annotations

import logging

from django.db import connection

from opsyn import context

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class ContextFilter(logging.Filter):
    """Attach the tenant schema and request id to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        work = context.current()
        record.request_id = work.request_id or "-"
        record.tenant = getattr(connection, "schema_name", "-") or "-"
        return True


class EventFormatter(logging.Formatter):
    """Format ``logger.info("tenant.provisioned", extra={...})`` as one line."""

    def format(self, record: logging.LogRecord) -> str:
        fields = {
            key: value
            for key, value in vars(record).items()
            if key not in _STANDARD and not key.startswith("_")
        }
        pairs = " ".join(f"{key}={value}" for key, value in sorted(fields.items()))
        line = (
            f"{self.formatTime(record)} {record.levelname} {record.name} "
            f"{record.getMessage()} {pairs}"
        )
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line
