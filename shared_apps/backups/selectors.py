"""Reads about backups and restores."""

from __future__ import annotations

from django.db.models import QuerySet

from opsyn.errors import NotFound

from .models import Backup, BackupStatus


def backups_of(slug: str) -> QuerySet[Backup]:
    """Return a tenant's backups, newest first."""
    return Backup.objects.filter(tenant_slug=slug).order_by("-created_at", "-id")


def restorable_backup(*, slug: str, at: str) -> Backup:
    """Return the complete backup of a tenant named by label, id or ``latest``.

    Only complete backups are ever returned: one still writing, or left by
    a worker that died, is refused here.
    """
    backups = backups_of(slug)
    if at == "latest":
        found = backups.filter(status=BackupStatus.COMPLETE).first()
    elif at.isdigit():
        found = backups.filter(pk=int(at)).first()
    else:
        found = backups.filter(label=at).first()
    if found is None:
        raise NotFound(f"No backup {at!r} of tenant {slug!r}.")
    if found.status != BackupStatus.COMPLETE:
        raise NotFound(
            f"Backup {found.label} is {found.status}, not complete; "
            "it cannot be restored."
        )
    return found
