"""Background work of the audit log."""

from __future__ import annotations

from opsyn.celery import tenant_task
from shared_apps.tenants.activation import current_schema

from . import exports, files
from .selectors import EventFilter


@tenant_task(name="audit.export_to_file")
def export_to_file(*, name: str, fmt: str, query: dict[str, str]) -> str:
    """Write an export file for the tenant the task was sent from.

    Safe to run twice: the file is written under a temporary name and
    renamed over any earlier copy.
    """
    selected = EventFilter.from_query(query)
    target = files.folder(current_schema()) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with partial.open("w", encoding="utf-8") as out:
        for chunk in exports.stream(selected, fmt=fmt):
            out.write(chunk)
    partial.replace(target)
    return name
