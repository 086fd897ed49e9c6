"""Background work on a tenant's contacts."""

from __future__ import annotations

from opsyn.celery import tenant_task

from . import selectors


@tenant_task(name="contacts.refresh_summary")
def refresh_summary() -> int:
    """Recount the tenant's contacts into its cached summary."""
    return selectors.refresh_summary()["count"]
