"""Back up a tenant's schema, restore it as a new tenant, promote, drill.

A backup is complete only once every file and its manifest are in
storage; restores read only complete backups and check every file's
SHA-256 before loading it. Restores always go into a new schema; the live
tenant is replaced only by ``promote_restore``, which backs it up first
and keeps its old schema.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

import psycopg
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from opsyn.errors import Conflict, InvalidInput, NotFound
from shared_apps.jobs.models import JobRun
from shared_apps.jobs.services import Progress
from shared_apps.tenants import caching, schemas
from shared_apps.tenants.activation import current_tenant, use_public
from shared_apps.tenants.models import Domain, Tenant, TenantStatus
from shared_apps.tenants.selectors import hosts_of, tenant_by_slug

from . import crypto, snapshot
from .models import Backup, BackupReason, BackupStatus, Restore, RestoreStatus
from .storage import backup_storage, spool_dir

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
DEFINITION = "schema.json"
FORMAT = 1
READ_CHUNK = 1 << 20


class _NoProgress:
    def update(self, done: int, total: int | None = None, unit: str = "") -> None:
        pass


def _key() -> bytes | None:
    raw = settings.OPSYN_BACKUP_KEY
    return crypto.load_key(raw) if raw else None


# -- backing up -------------------------------------------------------------


def take_backup(
    *,
    actor: str,
    tenant: Tenant,
    reason: str = BackupReason.OPERATOR,
    run_id: int | None = None,
    progress: Progress | _NoProgress | None = None,
) -> Backup:
    """Write a consistent snapshot of a tenant's schema to backup storage."""
    progress = progress or _NoProgress()
    key = _key()
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    label = f"{tenant.slug}-{stamp}-{secrets.token_hex(3)}"
    backup = Backup.objects.create(
        tenant=tenant,
        tenant_slug=tenant.slug,
        schema_name=tenant.schema_name,
        label=label,
        location=f"{tenant.schema_name}/{label}",
        reason=reason,
        run_id=run_id,
        encrypted=key is not None,
    )
    spool = spool_dir() / label
    spool.mkdir(parents=True)
    log.info("backup.started", extra={"actor": actor, "backup": label})
    try:
        manifest = _export(backup, tenant, spool, key, progress)
        _store(backup, spool, manifest)
    except BaseException as exc:
        _discard(backup, error=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        shutil.rmtree(spool, ignore_errors=True)
    backup.refresh_from_db()
    log.info(
        "backup.completed",
        extra={
            "actor": actor,
            "backup": label,
            "tables": backup.table_count,
            "rows": backup.row_count,
            "bytes": backup.size_bytes,
        },
    )
    return backup


def _export(
    backup: Backup,
    tenant: Tenant,
    spool: Path,
    key: bytes | None,
    progress: Progress | _NoProgress,
) -> dict[str, Any]:
    schema = tenant.schema_name
    suffix = ".enc" if key else ""
    with snapshot.own_connection() as raw, snapshot.snapshot(raw, schema):
        namespace = snapshot.schema_oid(raw, schema)
        if namespace is None:
            raise NotFound(f"Schema {schema!r} of tenant {tenant.slug!r} is missing.")
        snapshot_at = raw.execute("SELECT transaction_timestamp()").fetchone()
        rels = snapshot.relations(raw, namespace)
        tables = snapshot.list_tables(raw, rels)
        if tables:
            raw.execute(
                sql.SQL("LOCK TABLE {} IN ACCESS SHARE MODE").format(
                    sql.SQL(", ").join(sql.Identifier(t.name) for t in tables)
                )
            )
        definition = snapshot.describe_schema(raw, schema, namespace, rels)
        migrations = _migrations(raw, [t.name for t in tables])
        _write(spool / (DEFINITION + suffix), DEFINITION, key).send_all(
            json.dumps(definition.as_json()).encode()
        )

        entries = []
        for index, table in enumerate(tables):
            name = f"{table.name}.copy{suffix}"
            writer = _write(spool / name, table.name, key)
            rows, content = snapshot.copy_out(raw, table, writer.write)
            writer.close()
            entries.append(
                {
                    "name": table.name,
                    "columns": table.columns,
                    "rows": rows,
                    "content_sha256": content,
                    "file": name,
                }
            )
            progress.update(index + 1, len(tables), "tables")

    assert snapshot_at is not None
    return {
        "format": FORMAT,
        "label": backup.label,
        "tenant": {"id": tenant.pk, "slug": tenant.slug, "name": tenant.name},
        "schema": schema,
        "snapshot_at": snapshot_at[0].isoformat(),
        "migrations": migrations,
        "migrations_sha256": hashlib.sha256(
            "\n".join(f"{a}.{n}" for a, n in migrations).encode()
        ).hexdigest(),
        "encrypted": key is not None,
        "definition": {"file": DEFINITION + suffix},
        "tables": entries,
    }


def _migrations(raw: psycopg.Connection[Any], tables: list[str]) -> list[list[str]]:
    if "django_migrations" not in tables:
        return []
    return [
        [app, name]
        for app, name in raw.execute(
            "SELECT app, name FROM django_migrations ORDER BY app, name"
        ).fetchall()
    ]


class _Writer:
    """Write a spool file, plain or encrypted."""

    def __init__(self, path: Path, name: str, key: bytes | None) -> None:
        self._file: BinaryIO = path.open("wb")
        self._encrypting = (
            crypto.EncryptingWriter(self._file, key=key, name=name) if key else None
        )

    def write(self, data: bytes) -> None:
        if self._encrypting:
            self._encrypting.write(data)
        else:
            self._file.write(data)

    def close(self) -> None:
        if self._encrypting:
            self._encrypting.close()
        self._file.close()

    def send_all(self, data: bytes) -> None:
        self.write(data)
        self.close()


def _write(path: Path, name: str, key: bytes | None) -> _Writer:
    return _Writer(path, name, key)


def _store(backup: Backup, spool: Path, manifest: dict[str, Any]) -> None:
    """Upload the spooled files, then the manifest, then mark it complete."""
    storage = backup_storage()
    size = 0
    files = [manifest["definition"], *manifest["tables"]]
    for entry in files:
        path = spool / entry["file"]
        entry["sha256"] = _sha256_of_path(path)
        entry["bytes"] = path.stat().st_size
        size += entry["bytes"]
        with path.open("rb") as handle:
            storage.save(f"{backup.location}/{entry['file']}", File(handle))
    body = json.dumps(manifest, indent=2, sort_keys=True).encode()
    storage.save(f"{backup.location}/{MANIFEST}", ContentFile(body))
    Backup.objects.filter(pk=backup.pk, status=BackupStatus.WRITING).update(
        status=BackupStatus.COMPLETE,
        manifest=manifest,
        snapshot_at=datetime.datetime.fromisoformat(manifest["snapshot_at"]),
        completed_at=timezone.now(),
        size_bytes=size + len(body),
        table_count=len(manifest["tables"]),
        row_count=sum(t["rows"] for t in manifest["tables"]),
    )


def _discard(backup: Backup, *, error: str) -> None:
    """Mark a backup failed and remove whatever of it reached storage."""
    Backup.objects.filter(pk=backup.pk).exclude(status=BackupStatus.COMPLETE).update(
        status=BackupStatus.FAILED, error=error[:2000]
    )
    _delete_files(backup)
    log.warning("backup.failed", extra={"backup": backup.label, "error": error})


def _delete_files(backup: Backup) -> None:
    storage = backup_storage()
    try:
        _, names = storage.listdir(backup.location)
    except (FileNotFoundError, NotImplementedError):
        names = []
    for name in names:
        storage.delete(f"{backup.location}/{name}")
    shutil.rmtree(spool_dir() / backup.label, ignore_errors=True)


def _sha256_of_path(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(READ_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fail_abandoned_backups(*, tenant: Tenant) -> int:
    """Mark a tenant's unfinished backups failed and remove their files.

    Called only while holding the tenant's backup job lock, so no other
    worker is writing one of them.
    """
    stale = list(Backup.objects.filter(tenant=tenant, status=BackupStatus.WRITING))
    for backup in stale:
        _discard(backup, error="abandoned: its worker stopped before it completed")
    return len(stale)


def run_scheduled_backup(*, run: JobRun, progress: Progress) -> dict[str, Any]:
    """The backup job's work: clean up after dead attempts, then back up."""
    tenant = _tenant_of(run)
    abandoned = fail_abandoned_backups(tenant=tenant)
    reason = BackupReason.DAILY if run.trigger == "schedule" else BackupReason.OPERATOR
    backup = take_backup(
        actor=f"job:{run.pk}",
        tenant=tenant,
        reason=reason,
        run_id=run.pk,
        progress=progress,
    )
    return {
        "backup": backup.label,
        "tables": backup.table_count,
        "rows": backup.row_count,
        "bytes": backup.size_bytes,
        "abandoned_backups_failed": abandoned,
    }


def _tenant_of(run: JobRun) -> Tenant:
    tenant = current_tenant()
    if tenant is None or tenant.pk != run.tenant_id:
        raise Conflict(f"Run #{run.pk} must run inside its own tenant.")
    return Tenant.objects.get(pk=run.tenant_id)


# -- restoring --------------------------------------------------------------


def _open_verified(backup: Backup, entry: dict[str, Any]) -> Iterator[bytes]:
    """Yield a stored file's plaintext after checking its SHA-256."""
    storage = backup_storage()
    name = f"{backup.location}/{entry['file']}"
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(READ_CHUNK), b""):
            digest.update(chunk)
    if digest.hexdigest() != entry["sha256"]:
        raise Conflict(
            f"Backup file {entry['file']} of {backup.label} does not match its "
            "checksum; the backup is damaged."
        )
    key = _key() if backup.encrypted else None
    if backup.encrypted and key is None:
        raise InvalidInput(
            f"Backup {backup.label} is encrypted; set OPSYN_BACKUP_KEY to restore it."
        )
    with storage.open(name, "rb") as handle:
        if key is not None:
            yield from crypto.decrypt_frames(
                cast(BinaryIO, handle), key=key, name=_frame_name(entry)
            )
        else:
            yield from iter(lambda: handle.read(READ_CHUNK), b"")


def _frame_name(entry: dict[str, Any]) -> str:
    return str(entry.get("name") or DEFINITION)


def restore_into_schema(*, backup: Backup, schema: str) -> dict[str, Any]:
    """Rebuild a backup in a new schema, then verify it against the manifest.

    Return the verification report; ``report["ok"]`` says whether every
    table is present with the manifest's row count and checksum.
    """
    if backup.status != BackupStatus.COMPLETE:
        raise Conflict(f"Backup {backup.label} is {backup.status}; not restorable.")
    if schemas.schema_exists(schema):
        raise Conflict(f"Schema {schema!r} already exists; restores need a new one.")
    manifest = backup.manifest
    definition = json.loads(
        b"".join(_open_verified(backup, manifest["definition"])).decode()
    )

    with snapshot.own_connection() as raw:

        def load() -> None:
            for entry in manifest["tables"]:
                snapshot.copy_in(
                    raw, entry["name"], entry["columns"], _open_verified(backup, entry)
                )

        snapshot.rebuild(raw, schema=schema, definition=definition, load=load)
    _secure(schema)
    return verify_schema(manifest=manifest, schema=schema)


def _secure(schema: str) -> None:
    """Treat a rebuilt or renamed schema as a migrated one.

    Functions copied from the source pin its schema name (the audit log's
    do); the handlers of ``schema_migrated`` reinstall them for this schema
    and re-apply its grants, as after a migrate, clone or claim.
    """
    from django_tenants.signals import schema_migrated

    schema_migrated.send(sender=Tenant, schema_name=schema)
    use_public()


def verify_schema(*, manifest: dict[str, Any], schema: str) -> dict[str, Any]:
    """Compare a schema's tables, row counts and checksums with a manifest."""
    problems: list[str] = []
    rows = 0
    with snapshot.own_connection() as raw, snapshot.snapshot(raw, schema):
        namespace = snapshot.schema_oid(raw, schema)
        if namespace is None:
            return {"ok": False, "problems": [f"schema {schema} is missing"]}
        rels = snapshot.relations(raw, namespace)
        tables = {t.name: t for t in snapshot.list_tables(raw, rels)}
        expected = {t["name"]: t for t in manifest["tables"]}
        for name in sorted(set(expected) - set(tables)):
            problems.append(f"table {name} is missing")
        for name in sorted(set(tables) - set(expected)):
            problems.append(f"table {name} is not in the backup")
        for name in sorted(set(expected) & set(tables)):
            count, content = snapshot.copy_out(raw, tables[name], lambda _: None)
            rows += count
            wanted = expected[name]["rows"]
            if count != wanted:
                problems.append(f"table {name} has {count} rows, the backup {wanted}")
            elif content != expected[name]["content_sha256"]:
                problems.append(f"table {name} differs from the backup (checksum)")
    audit = _verify_audit_chain(schema, source_schema=manifest["schema"])
    if audit.get("ok") is False:
        problems.append(f"audit chain: {audit.get('detail', 'does not verify')}")
    return {
        "ok": not problems,
        "problems": problems,
        "tables": len(manifest["tables"]),
        "rows": rows,
        "audit_chain": audit,
    }


def _verify_audit_chain(schema: str, *, source_schema: str) -> dict[str, Any]:
    """Verify the restored schema's audit hash chain, when it has one.

    Verification starts from the head the source schema's latest purge
    receipt recorded (receipts name the source schema, not the copy).
    """
    from shared_apps.audit import chain
    from shared_apps.audit.capture import log_tables

    if not _has_table(schema, log_tables(schema).event):
        return {"checked": False, "detail": "the schema has no audit log"}
    checker = chain.ChainChecker(schema, chain.starting_head(source_schema))
    for row in chain.events_as_text(schema):
        if not checker.feed(row):
            break
    head, last_id = chain.stored_head(schema)
    verdict = checker.finish(head=head, last_id=last_id)
    return {
        "checked": True,
        "ok": verdict.ok,
        "events": verdict.checked,
        "detail": verdict.describe(),
    }


def _has_table(schema: str, table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = %s",
            [schema, table],
        )
        return cursor.fetchone() is not None


def restore_backup(
    *, actor: str, slug: str, at: str, new_slug: str, domain: str | None = None
) -> Restore:
    """Restore a tenant's backup as a NEW tenant, verified before it is served.

    The live tenant is not touched. The new tenant is created only when
    every table, row count and checksum matches the manifest; otherwise the
    restored schema is dropped and the restore recorded as failed.
    """
    from shared_apps.tenants.services import check_new_tenant

    from .selectors import restorable_backup

    backup = restorable_backup(slug=slug, at=at)
    host = domain or f"{new_slug}.{settings.OPSYN_PLATFORM_HOST}"
    source_name = backup.manifest.get("tenant", {}).get("name") or slug
    request = check_new_tenant(
        name=f"{source_name} (restored)"[:100], slug=new_slug, domain=host
    )
    use_public()
    report = restore_into_schema(backup=backup, schema=request.schema)
    if not report["ok"]:
        schemas.drop_schema(request.schema)
        Restore.objects.create(
            backup=backup,
            backup_label=backup.label,
            target_schema=request.schema,
            target_slug=new_slug,
            actor=actor,
            status=RestoreStatus.FAILED,
            report=report,
        )
        log.error(
            "backup.restore_failed",
            extra={
                "actor": actor,
                "backup": backup.label,
                "problems": report["problems"],
            },
        )
        raise Conflict(
            f"Restored data does not match backup {backup.label}: "
            + "; ".join(report["problems"][:3])
        )
    with transaction.atomic():
        tenant = Tenant.objects.create(
            name=request.name,
            slug=new_slug,
            schema_name=request.schema,
            region=_region_of(backup),
            status=TenantStatus.ACTIVE,
        )
        Domain.objects.create(tenant=tenant, domain=request.host, is_primary=True)
        restore = Restore.objects.create(
            backup=backup,
            backup_label=backup.label,
            target_schema=request.schema,
            target_slug=new_slug,
            actor=actor,
            status=RestoreStatus.VERIFIED,
            report=report,
        )
    caching.forget_routes([request.host])
    _reindex_members(tenant)
    log.info(
        "backup.restored",
        extra={"actor": actor, "backup": backup.label, "as": new_slug},
    )
    return restore


def _region_of(backup: Backup) -> str:
    if backup.tenant is not None:
        return str(backup.tenant.region)
    return str(settings.OPSYN_DEFAULT_REGION)


def _reindex_members(tenant: Tenant) -> None:
    from shared_apps.accounts.services import rebuild_membership_index
    from shared_apps.tenants.activation import tenant_scope
    from tenant_apps.members.models import Membership, MembershipStatus

    with tenant_scope(tenant):
        user_ids = list(
            Membership.objects.filter(status=MembershipStatus.ACTIVE).values_list(
                "user_id", flat=True
            )
        )
    rebuild_membership_index(tenant_id=tenant.pk, user_ids=user_ids)


def promote_restore(*, actor: str, restored_slug: str, live_slug: str) -> Restore:
    """Make a verified restore the live tenant's data.

    The live tenant is backed up first. Then, in one transaction, its schema
    is renamed aside (kept, not dropped) and the restored schema takes its
    name; the live tenant keeps its id, slug and domains, and the restored
    tenant's own row and domains are removed.
    """
    restore = (
        Restore.objects.filter(target_slug=restored_slug, drill=False)
        .order_by("-created_at")
        .first()
    )
    if restore is None or restore.status != RestoreStatus.VERIFIED:
        raise Conflict(
            f"{restored_slug!r} is not a verified restore; only one made by "
            "'opsyn backups restore' and verified can be promoted."
        )
    live = tenant_by_slug(live_slug)
    restored = tenant_by_slug(restored_slug)
    if live.pk == restored.pk:
        raise InvalidInput("A tenant cannot replace itself.")
    if live.status != TenantStatus.ACTIVE:
        raise Conflict(f"Tenant {live_slug!r} is {live.status}; resume it first.")

    safety = take_backup(actor=actor, tenant=live, reason=BackupReason.PRE_PROMOTE)
    aside = f"_replaced_{secrets.token_hex(6)}"
    hosts = hosts_of(live) + hosts_of(restored)
    use_public()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER SCHEMA "{live.schema_name}" RENAME TO "{aside}"')
            cursor.execute(
                f'ALTER SCHEMA "{restored.schema_name}" RENAME TO "{live.schema_name}"'
            )
        restored.domains.all().delete()
        Tenant.objects.filter(pk=restored.pk).delete()
        Restore.objects.filter(pk=restore.pk).update(
            status=RestoreStatus.PROMOTED,
            promoted_at=timezone.now(),
            report={
                **restore.report,
                "promoted_over": live_slug,
                "previous_schema_kept_as": aside,
                "backup_before_promote": safety.label,
            },
        )
    _secure(live.schema_name)
    caching.forget_routes(hosts)
    _reindex_members(live)
    log.warning(
        "backup.promoted",
        extra={
            "actor": actor,
            "restored": restored_slug,
            "live": live_slug,
            "previous_schema": aside,
            "safety_backup": safety.label,
        },
    )
    restore.refresh_from_db()
    return restore


def drop_replaced_schemas(
    *,
    actor: str,
    tenant: Tenant,
    older_than: datetime.timedelta | None = None,
    now: datetime.datetime | None = None,
) -> list[str]:
    """Drop the schemas that promotes over a tenant set aside.

    A promote keeps the data it replaced as ``_replaced_<hex>`` so that an
    operator can go back; once that is no longer wanted (``older_than``
    after the promote, or at once without it) the schema is dropped and the
    restore's report says when. Return the names of the schemas dropped.
    """
    now = now or timezone.now()
    promoted = Restore.objects.filter(
        status=RestoreStatus.PROMOTED, report__promoted_over=tenant.slug
    )
    if older_than is not None:
        promoted = promoted.filter(promoted_at__lt=now - older_than)
    dropped: list[str] = []
    for restore in promoted.order_by("promoted_at"):
        aside = str(restore.report.get("previous_schema_kept_as", ""))
        if restore.report.get("previous_schema_dropped_at"):
            continue
        if not REPLACED_SCHEMA.fullmatch(aside):
            continue
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{aside}" CASCADE')
            Restore.objects.filter(pk=restore.pk).update(
                report={**restore.report, "previous_schema_dropped_at": now.isoformat()}
            )
        dropped.append(aside)
    if dropped:
        log.info(
            "backup.replaced_dropped",
            extra={"actor": actor, "slug": tenant.slug, "schemas": ",".join(dropped)},
        )
    return dropped


REPLACED_SCHEMA = re.compile(r"_replaced_[0-9a-f]{12}")


# -- drills and pruning -----------------------------------------------------


def run_drill(*, run: JobRun, progress: Progress) -> dict[str, Any]:
    """Restore the tenant's latest backup into a scratch schema, verify, drop."""
    tenant = _tenant_of(run)
    backup = (
        Backup.objects.filter(tenant=tenant, status=BackupStatus.COMPLETE)
        .order_by("-created_at")
        .first()
    )
    if backup is None:
        raise NotFound(f"Tenant {tenant.slug!r} has no complete backup to drill.")
    scratch = f"drill_{secrets.token_hex(8)}"
    if schemas.schema_exists(scratch):
        raise Conflict(f"Scratch schema {scratch} exists; try the drill again.")
    progress.update(0, 2, "steps")
    try:
        report = restore_into_schema(backup=backup, schema=scratch)
    finally:
        # It did not exist before, so whatever has the name now is the drill's.
        use_public()
        schemas.drop_schema(scratch)
    progress.update(2, 2, "steps")
    Restore.objects.create(
        backup=backup,
        backup_label=backup.label,
        target_schema=scratch,
        actor=f"job:{run.pk}",
        drill=True,
        status=RestoreStatus.DROPPED if report["ok"] else RestoreStatus.FAILED,
        report=report,
    )
    if not report["ok"]:
        raise Conflict(
            f"Restore drill of {backup.label} failed: " + "; ".join(report["problems"])
        )
    return {"backup": backup.label, "tables": report["tables"], "rows": report["rows"]}


def prune_backups(
    *,
    tenant: Tenant,
    keep_daily: int,
    keep_weekly: int,
    now: datetime.datetime | None = None,
) -> int:
    """Delete a tenant's backups beyond the last daily and weekly ones kept.

    Kept: the newest complete backup of each of the ``keep_daily`` most
    recent days that have one, and the newest of each of the ``keep_weekly``
    most recent ISO weeks that have one. Failed backups older than a day
    are removed too. Return how many backups were removed.
    """
    now = now or timezone.now()
    complete = list(
        Backup.objects.filter(tenant=tenant, status=BackupStatus.COMPLETE).order_by(
            "-created_at"
        )
    )
    keep: set[int] = set()
    days: list[datetime.date] = []
    weeks: list[tuple[int, int]] = []
    for backup in complete:
        when = backup.created_at.astimezone(datetime.UTC)
        day = when.date()
        week = tuple(when.isocalendar())[:2]
        if day not in days and len(days) < keep_daily:
            days.append(day)
            keep.add(backup.pk)
        if week not in weeks and len(weeks) < keep_weekly:
            weeks.append((int(week[0]), int(week[1])))
            keep.add(backup.pk)
    doomed = [b for b in complete if b.pk not in keep]
    doomed += list(
        Backup.objects.filter(
            tenant=tenant,
            status=BackupStatus.FAILED,
            created_at__lt=now - datetime.timedelta(days=1),
        )
    )
    for backup in doomed:
        _delete_files(backup)
        backup.delete()
    if doomed:
        log.info("backup.pruned", extra={"slug": tenant.slug, "removed": len(doomed)})
    return len(doomed)


def request_backup(*, actor: str, slug: str) -> JobRun:
    """Queue an operator backup of a tenant, run by a worker."""
    from shared_apps.jobs.services import request_run

    return request_run(actor=actor, tenant=tenant_by_slug(slug), kind="backup")
