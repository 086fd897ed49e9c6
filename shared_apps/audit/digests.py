"""Daily signed digests of each chain head, kept outside the database.

A digest names a schema, the id of its last event and that event's chain
hash, signed with HMAC-SHA256 under ``OPSYN_AUDIT_DIGEST_KEY``, a key the
database never sees. Someone who can rewrite the whole log (the owner role)
can rebuild a consistent chain, but not the digests: verification checks
every digest against the events still in the log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.db import connection

from opsyn.errors import InvalidInput
from shared_apps.backups.storage import blob_storage

from .capture import log_tables
from .chain import stored_head


@dataclass(frozen=True)
class Digest:
    schema: str
    last_event_id: int
    head: str
    written_at: str
    signature: str

    def message(self) -> bytes:
        return (
            f"{self.schema}|{self.last_event_id}|{self.head}|{self.written_at}".encode()
        )


def _key() -> bytes:
    key = settings.OPSYN_AUDIT_DIGEST_KEY
    if not key:
        raise InvalidInput(
            "OPSYN_AUDIT_DIGEST_KEY is not set; digests cannot be signed or checked."
        )
    return str(key).encode()


def _sign(message: bytes) -> str:
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def digest_storage() -> Storage:
    """Return where digests are kept: the platform's Blob container, if any.

    Without one they are files under ``OPSYN_AUDIT_DIGEST_DIR``: fine for a
    single machine, lost with a container's disk.
    """
    return blob_storage(folder="audit-digests") or FileSystemStorage(
        location=Path(settings.OPSYN_AUDIT_DIGEST_DIR)
    )


def write_digest(schema: str, *, now: datetime | None = None) -> str:
    """Sign the current head of a schema's chain and store it; return its name."""
    head, last_id = stored_head(schema)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    unsigned = Digest(schema, last_id, head, moment.isoformat(), "")
    digest = Digest(
        schema, last_id, head, unsigned.written_at, _sign(unsigned.message())
    )
    body = json.dumps(digest.__dict__, indent=2) + "\n"
    name = f"{schema}/{moment:%Y-%m-%dT%H%M%S}.json"
    return digest_storage().save(name, ContentFile(body.encode()))


def _stored_digests(storage: Storage, schema: str) -> list[str]:
    try:
        _, files = storage.listdir(schema)
    except FileNotFoundError:
        return []
    return sorted(f"{schema}/{name}" for name in files if name.endswith(".json"))


def check_digests(schema: str, *, purged_through: int = 0) -> list[str]:
    """Return one line per digest that the log no longer matches."""
    problems: list[str] = []
    tables = log_tables(schema)
    q = connection.ops.quote_name(schema)
    storage = digest_storage()
    for name in _stored_digests(storage, schema):
        shown = name.rsplit("/", 1)[-1]
        with storage.open(name) as stored:
            digest = Digest(**json.loads(stored.read()))
        if not hmac.compare_digest(_sign(digest.message()), digest.signature):
            problems.append(f"{shown}: signature does not match (file altered)")
            continue
        if digest.last_event_id == 0 or digest.last_event_id <= purged_through:
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT chain_hash FROM {q}.{tables.event} WHERE id = %s",  # noqa: S608
                [digest.last_event_id],
            )
            found = cursor.fetchone()
        if found is None:
            problems.append(
                f"{shown}: event {digest.last_event_id} is missing from the log"
            )
        elif found[0] != digest.head:
            problems.append(
                f"{shown}: event {digest.last_event_id} no longer has the signed "
                "chain hash (the log was rewritten)"
            )
    return problems
