"""Background exports: files under OPSYN_AUDIT_EXPORT_DIR, expiring links.

A large export is written by a tenant task to ``<dir>/<schema>/<name>``
(first as ``.part``, renamed when complete). Links are signed with the
secret key, name the schema and the file, and expire after
``OPSYN_AUDIT_EXPORT_LINK_SECONDS``; files older than that are not served.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core import signing

from .selectors import EventFilter

SALT = "opsyn.audit.export"


@dataclass(frozen=True)
class ReadyExport:
    name: str
    size: int
    created_at: datetime
    token: str


def folder(schema: str) -> Path:
    return Path(settings.OPSYN_AUDIT_EXPORT_DIR) / schema


def schedule_export(selected: EventFilter, *, fmt: str) -> str:
    """Queue a background export; return the file name it will have."""
    from .tasks import export_to_file

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    name = f"audit-{stamp}-{secrets.token_hex(4)}.{fmt}"
    export_to_file.delay(name=name, fmt=fmt, query=selected.as_query())
    return name


def _fresh(path: Path) -> bool:
    age = time.time() - path.stat().st_mtime
    return age < settings.OPSYN_AUDIT_EXPORT_LINK_SECONDS


def ready_exports(schema: str) -> list[ReadyExport]:
    """Return the finished, unexpired exports of a schema, newest first."""
    where = folder(schema)
    if not where.is_dir():
        return []
    found = []
    for path in sorted(where.iterdir(), reverse=True):
        if path.suffix not in (".jsonl", ".csv") or not _fresh(path):
            continue
        token = signing.dumps({"s": schema, "f": path.name}, salt=SALT)
        created = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        found.append(ReadyExport(path.name, path.stat().st_size, created, token))
    return found


def path_for_token(token: str, *, schema: str) -> Path | None:
    """Return the file a link points at, if valid, unexpired and this tenant's."""
    try:
        payload = signing.loads(
            token, salt=SALT, max_age=settings.OPSYN_AUDIT_EXPORT_LINK_SECONDS
        )
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("s") != schema:
        return None
    name = str(payload.get("f", ""))
    path = folder(schema) / name
    if "/" in name or not path.is_file() or not _fresh(path):
        return None
    return path
