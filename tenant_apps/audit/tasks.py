"""Background work of the audit log."""

from __future__ import annotations

import tempfile

from opsyn.celery import platform_task, tenant_task
from shared_apps.tenants.activation import current_schema

from . import exports, files
from .selectors import EventFilter


@tenant_task(name="audit.export_to_file")
def export_to_file(*, name: str, fmt: str, query: dict[str, str]) -> str:
    """Write an export file for the tenant the task was sent from.

    Safe to run twice: the file is written to a local temporary file first
    and stored, over any earlier copy, only once complete.
    """
    selected = EventFilter.from_query(query)
    with tempfile.TemporaryFile() as spool:
        for chunk in exports.stream(selected, fmt=fmt):
            spool.write(chunk.encode())
        spool.seek(0)
        files.store_export(current_schema(), name, spool)
    return name


@platform_task(name="audit.remove_expired_exports")
def remove_expired_exports() -> int:
    """Delete export files whose links have expired, for every tenant."""
    return files.remove_expired_exports()
