"""Background exports: files in storage, fetched by expiring links.

A large export is written by a tenant task to a local temporary file, then
stored as ``<schema>/<name>`` in the platform's Blob container (folder
``audit-exports``) or, without one, under ``OPSYN_AUDIT_EXPORT_DIR``; only
complete files are ever stored, and the web replicas read them from there.
Links are signed with the secret key, name the schema and the file, and
expire after ``OPSYN_AUDIT_EXPORT_LINK_SECONDS``; older files are not
served, and ``remove_expired_exports`` deletes them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from django.utils import timezone

from shared_apps.backups.storage import blob_storage

from .selectors import EventFilter

SALT = "opsyn.audit.export"
SUFFIXES = (".jsonl", ".csv")


@dataclass(frozen=True)
class ReadyExport:
    name: str
    size: int
    created_at: datetime
    token: str


def export_storage() -> Storage:
    """Return where export files are kept (shared by workers and web)."""
    return blob_storage(folder="audit-exports") or FileSystemStorage(
        location=settings.OPSYN_AUDIT_EXPORT_DIR
    )


def schedule_export(selected: EventFilter, *, fmt: str) -> str:
    """Queue a background export; return the file name it will have."""
    from .tasks import export_to_file

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    name = f"audit-{stamp}-{secrets.token_hex(4)}.{fmt}"
    export_to_file.delay(name=name, fmt=fmt, query=selected.as_query())
    return name


def store_export(schema: str, name: str, content: IO[bytes]) -> str:
    """Store a finished export under its name, replacing an earlier copy."""
    storage = export_storage()
    key = f"{schema}/{name}"
    if storage.exists(key):
        storage.delete(key)
    return storage.save(key, File(content, name=name))


def _lifetime() -> timedelta:
    return timedelta(seconds=settings.OPSYN_AUDIT_EXPORT_LINK_SECONDS)


def _stored(storage: Storage, schema: str) -> Iterator[tuple[str, datetime]]:
    """Yield (storage name, time stored) of a schema's export files."""
    try:
        _, names = storage.listdir(schema)
    except FileNotFoundError:
        return
    for name in sorted(names, reverse=True):
        if name.endswith(SUFFIXES):
            key = f"{schema}/{name}"
            yield key, storage.get_modified_time(key)


def ready_exports(schema: str) -> list[ReadyExport]:
    """Return the finished, unexpired exports of a schema, newest first."""
    storage = export_storage()
    oldest = timezone.now() - _lifetime()
    found = []
    for key, stored_at in _stored(storage, schema):
        if stored_at < oldest:
            continue
        name = key.rsplit("/", 1)[-1]
        token = signing.dumps({"s": schema, "f": name}, salt=SALT)
        found.append(ReadyExport(name, storage.size(key), stored_at, token))
    return found


def open_for_token(token: str, *, schema: str) -> tuple[str, IO[bytes]] | None:
    """Open the file a link points at, if valid, unexpired and this tenant's."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=_lifetime())
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("s") != schema:
        return None
    name = str(payload.get("f", ""))
    if "/" in name or not name.endswith(SUFFIXES):
        return None
    storage = export_storage()
    key = f"{schema}/{name}"
    if not storage.exists(key):
        return None
    if storage.get_modified_time(key) < timezone.now() - _lifetime():
        return None
    return name, storage.open(key, "rb")


def remove_expired_exports() -> int:
    """Delete every schema's export files older than a link lives."""
    storage = export_storage()
    oldest = timezone.now() - _lifetime()
    try:
        schemas, _ = storage.listdir("")
    except FileNotFoundError:
        return 0
    removed = 0
    for schema in schemas:
        for key, stored_at in list(_stored(storage, schema)):
            if stored_at < oldest:
                storage.delete(key)
                removed += 1
    return removed
