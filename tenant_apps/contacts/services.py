"""Changes to the current organisation's contacts."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from opsyn.celery import TENANT_HEADER
from shared_apps.tenants.activation import current_schema

from .models import Contact

log = logging.getLogger(__name__)

EDITABLE = ("name", "email", "phone", "organisation", "notes")


def create_contact(*, actor_id: int | None, **fields: Any) -> Contact:
    """Store a new contact for the current tenant."""
    contact = Contact.objects.create(
        created_by_id=actor_id, **{k: v for k, v in fields.items() if k in EDITABLE}
    )
    log.info("contact.created", extra={"actor_id": actor_id, "contact_id": contact.pk})
    _schedule_summary()
    return contact


def update_contact(*, actor_id: int | None, contact: Contact, **fields: Any) -> Contact:
    """Change the given fields of a contact; only changed fields are written."""
    changed = [k for k in EDITABLE if k in fields and getattr(contact, k) != fields[k]]
    for key in changed:
        setattr(contact, key, fields[key])
    if changed:
        contact.save(update_fields=[*changed, "updated_at"])
        log.info(
            "contact.updated",
            extra={"actor_id": actor_id, "contact_id": contact.pk, "fields": changed},
        )
    return contact


def _schedule_summary() -> None:
    from .tasks import refresh_summary

    # The schema is read now: by commit time the connection may have moved on.
    headers = {TENANT_HEADER: current_schema()}
    transaction.on_commit(lambda: refresh_summary.apply_async(headers=headers))
