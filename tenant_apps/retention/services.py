"""Enforce the current tenant's retention policy; change it; hold data.

Deletion goes in small batches, each its own short transaction, walking
the table by primary key so every batch is an index range scan; the
tenant keeps working while a large purge runs. Ages are computed from
``timezone.now()``, which is UTC whatever the server's or the session's
time zone; a row is removed only when strictly older than the cutoff.
Every category a run visits gets a receipt, including the ones a legal
hold stopped and the ones skipped.
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from opsyn.errors import InvalidInput, NotFound
from shared_apps.tenants.activation import current_tenant
from tenant_apps.audit import services as audit_services

from . import selectors
from .models import (
    Category,
    ContactAction,
    LegalHold,
    RetentionPolicy,
    RetentionReceipt,
)

if TYPE_CHECKING:
    from shared_apps.jobs.models import JobRun
    from shared_apps.jobs.services import Progress

log = logging.getLogger(__name__)

ANONYMOUS_NAME = "Anonymised contact"
MIN_BATCH = 10
POLICY_FIELDS = (
    "audit_years",
    "sessions_days",
    "webhooks_days",
    "job_runs_days",
    "backups_weekly_keep",
    "contacts_days",
    "contacts_action",
)


@dataclass
class Purged:
    outcome: str
    cutoff: datetime.datetime | None = None
    rows: int = 0
    batches: int = 0
    longest_ms: float = 0.0
    note: str = ""


def update_policy(*, actor_id: int | None, **values: Any) -> RetentionPolicy:
    """Change the tenant's retention policy within the platform's bounds."""
    policy = selectors.current_policy()
    bounds: dict[str, tuple[int, int]] = settings.OPSYN_RETENTION_BOUNDS
    for name in POLICY_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name == "contacts_action":
            if value not in ContactAction.values:
                raise InvalidInput(
                    "Contacts may be anonymised or deleted, nothing else."
                )
        elif value is not None or name != "contacts_days":
            low, high = bounds[name]
            if not isinstance(value, int) or not low <= value <= high:
                label = name.replace("_", " ")
                raise InvalidInput(
                    f"{label.capitalize()} must be from {low} to {high}."
                )
        setattr(policy, name, value)
    policy.updated_by_id = actor_id
    policy.save()
    log.info("retention.policy_changed", extra={"actor_id": actor_id})
    return policy


def place_hold(*, actor_id: int | None, category: str, reason: str) -> LegalHold:
    """Stop deletion of one category (or, with ``""``, of everything)."""
    if category and category not in Category.values:
        raise InvalidInput(f"Unknown category {category!r}.")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("A legal hold needs a reason.")
    hold = LegalHold.objects.create(
        category=category, reason=reason[:300], placed_by_id=actor_id
    )
    log.info(
        "retention.hold_placed",
        extra={"actor_id": actor_id, "hold_id": hold.pk, "category": category or "*"},
    )
    return hold


def release_hold(*, actor_id: int | None, hold_id: int) -> LegalHold:
    """End a legal hold; its record stays."""
    hold = LegalHold.objects.filter(pk=hold_id, released_at__isnull=True).first()
    if hold is None:
        raise NotFound("No such active legal hold.")
    hold.released_at = timezone.now()
    hold.released_by_id = actor_id
    hold.save(update_fields=["released_at", "released_by_id"])
    log.info(
        "retention.hold_released", extra={"actor_id": actor_id, "hold_id": hold_id}
    )
    return hold


def enforce_retention(*, run: JobRun, progress: Progress) -> dict[str, Any]:
    """The retention job's work: every category, each with its receipt."""
    return enforce_policy(run_id=run.pk, progress=progress)


def enforce_policy(
    *, run_id: int | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Apply the current tenant's policy to every category; return receipts."""
    policy = selectors.current_policy()
    now = timezone.now()
    held = selectors.held_categories()
    steps = [
        (Category.AUDIT, _purge_audit),
        (Category.SESSIONS, _purge_sessions),
        (Category.WEBHOOKS, _purge_webhooks),
        (Category.JOB_RUNS, _purge_job_runs),
        (Category.BACKUPS, _purge_backups),
        (Category.CONTACTS, _purge_contacts),
    ]
    summary: dict[str, Any] = {}
    for index, (category, purge) in enumerate(steps):
        started = timezone.now()
        if "" in held or category in held:
            outcome = Purged("held", note="a legal hold stops deletion")
        else:
            outcome = purge(policy, now, run_id)
        RetentionReceipt.objects.create(
            run_id=run_id,
            category=category,
            outcome=outcome.outcome,
            cutoff=outcome.cutoff,
            rows_removed=outcome.rows,
            batches=outcome.batches,
            longest_batch_ms=outcome.longest_ms,
            note=outcome.note[:300],
            started_at=started,
            finished_at=timezone.now(),
        )
        summary[category] = {"outcome": outcome.outcome, "rows": outcome.rows}
        if progress is not None:
            progress.update(index + 1, len(steps), "categories")
    log.info(
        "retention.enforced",
        extra={
            "run_id": run_id or "-",
            **{f"{k}_rows": v["rows"] for k, v in summary.items()},
        },
    )
    return summary


def years_before(moment: datetime.datetime, years: int) -> datetime.datetime:
    """Return the same instant ``years`` calendar years earlier (29 Feb → 28)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def delete_in_batches(
    *,
    table: str,
    where: str,
    params: list[Any],
    key: str = "id",
    start: Any = 0,
    set_clause: str | None = None,
    set_params: tuple[Any, ...] = (),
) -> Purged:
    """Delete (or, with ``set_clause``, update) matching rows in short batches.

    Walks ``table`` by ``key`` from ``start`` so each batch is an index
    range scan; each batch commits on its own, and its size adapts so a
    batch takes about ``OPSYN_RETENTION_BATCH_TARGET_MS``. ``table``, ``key``, ``where``
    and ``set_clause`` are fixed SQL written in this module, never input.
    """
    size = int(settings.OPSYN_RETENTION_BATCH_SIZE)
    action = (
        f"UPDATE {table} SET {set_clause}"  # noqa: S608
        if set_clause
        else f"DELETE FROM {table}"  # noqa: S608
    )
    statement = (
        f"{action} WHERE {key} IN (SELECT {key} FROM {table} "  # noqa: S608
        f"WHERE {key} > %s AND ({where}) ORDER BY {key} LIMIT %s) RETURNING {key}"
    )
    after = start
    result = Purged("removed")
    while True:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            # A batch lost in a crash is simply removed by the next run, so
            # its commit need not wait for the disk.
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute(statement, [*set_params, after, *params, size])
            keys = [row[0] for row in cursor.fetchall()]
        elapsed = (time.perf_counter() - started) * 1000
        if not keys:
            return result
        result.rows += len(keys)
        result.batches += 1
        result.longest_ms = max(result.longest_ms, elapsed)
        after = max(keys)
        size = next_batch_size(size, elapsed)


def next_batch_size(size: int, elapsed_ms: float) -> int:
    """Size the next batch so each transaction takes about the target time.

    What a row costs varies with the table (audit triggers, indexes) and the
    load, so the size follows the last batch's time, within fixed bounds.
    """
    target = float(settings.OPSYN_RETENTION_BATCH_TARGET_MS)
    largest = int(settings.OPSYN_RETENTION_BATCH_MAX)
    if elapsed_ms > target:
        return max(MIN_BATCH, int(size * target / elapsed_ms * 0.8))
    if elapsed_ms < target / 2:
        return min(largest, size * 2)
    return size


def _purge_audit(
    policy: RetentionPolicy, now: datetime.datetime, run_id: int | None
) -> Purged:
    minimum = settings.OPSYN_RETENTION_BOUNDS["audit_years"][0]
    cutoff = years_before(now, max(policy.audit_years, minimum))
    receipt = audit_services.purge_expired(
        actor=f"retention:run:{run_id or '-'}", cutoff=cutoff
    )
    removed = receipt.removed if receipt is not None else 0
    return Purged("removed", cutoff, rows=removed, note="through the audit log's purge")


def _purge_sessions(
    policy: RetentionPolicy, now: datetime.datetime, run_id: int | None
) -> Purged:
    from shared_apps.tenants.selectors import hosts_of

    tenant = current_tenant()
    cutoff = now - datetime.timedelta(days=policy.sessions_days)
    if tenant is None:
        return Purged("skipped", cutoff, note="not inside a tenant")
    hosts = hosts_of(tenant)
    if not hosts:
        return Purged("removed", cutoff)
    # Sessions live in the public schema, bound to the host that made them;
    # this tenant's are the ones on its hosts. Ended: expired before cutoff.
    from shared_apps.sessions.models import Session

    found = delete_in_batches(
        table=f"public.{connection.ops.quote_name(Session._meta.db_table)}",
        key="session_key",
        start="",
        where="host = ANY(%s) AND expire_date < %s",
        params=[hosts, cutoff],
    )
    found.cutoff = cutoff
    return found


def _purge_webhooks(
    policy: RetentionPolicy, now: datetime.datetime, run_id: int | None
) -> Purged:
    # TODO(webhooks): purge deliveries older than policy.webhooks_days once
    # the webhook app stores them; there is no delivery table yet.
    return Purged(
        "skipped",
        now - datetime.timedelta(days=policy.webhooks_days),
        note="no webhook delivery store exists yet",
    )


def _purge_job_runs(
    policy: RetentionPolicy, now: datetime.datetime, run_id: int | None
) -> Purged:
    tenant = current_tenant()
    cutoff = now - datetime.timedelta(days=policy.job_runs_days)
    if tenant is None:
        return Purged("skipped", cutoff, note="not inside a tenant")
    from shared_apps.jobs.models import JobRun

    found = delete_in_batches(
        table=f"public.{connection.ops.quote_name(JobRun._meta.db_table)}",
        where="tenant_id = %s AND status IN ('succeeded', 'failed', 'cancelled') "
        "AND finished_at < %s",
        params=[tenant.pk, cutoff],
    )
    found.cutoff = cutoff
    return found


def _purge_backups(
    policy: RetentionPolicy, now: datetime.datetime, run_id: int | None
) -> Purged:
    from shared_apps.backups.services import drop_replaced_schemas, prune_backups
    from shared_apps.tenants.models import Tenant

    tenant = current_tenant()
    if tenant is None:
        return Purged("skipped", note="not inside a tenant")
    live = Tenant.objects.get(pk=tenant.pk)
    removed = prune_backups(
        tenant=live,
        keep_daily=settings.OPSYN_BACKUP_KEEP_DAILY,
        keep_weekly=policy.backups_weekly_keep,
        now=now,
    )
    keep_days = settings.OPSYN_REPLACED_SCHEMA_KEEP_DAYS
    dropped = drop_replaced_schemas(
        actor=f"retention:run:{run_id or '-'}",
        tenant=live,
        older_than=datetime.timedelta(days=keep_days),
        now=now,
    )
    note = (
        f"kept the last {settings.OPSYN_BACKUP_KEEP_DAILY} daily and "
        f"{policy.backups_weekly_keep} weekly backups"
    )
    if dropped:
        note += f"; dropped {len(dropped)} schema(s) replaced over {keep_days} days ago"
    return Purged("removed", rows=removed, note=note)


def _purge_contacts(
    policy: RetentionPolicy, now: datetime.datetime, run_id: int | None
) -> Purged:
    if policy.contacts_days is None:
        return Purged("kept", note="the policy keeps contacts")
    cutoff = now - datetime.timedelta(days=policy.contacts_days)
    from tenant_apps.contacts.models import Contact

    table = connection.ops.quote_name(Contact._meta.db_table)
    if policy.contacts_action == ContactAction.DELETE:
        found = delete_in_batches(table=table, where="updated_at < %s", params=[cutoff])
    else:
        # Anonymised rows keep their updated_at, and are skipped next time.
        found = delete_in_batches(
            table=table,
            where="updated_at < %s AND NOT (name = %s AND email = '' AND "
            "phone = '' AND organisation = '' AND notes = '')",
            params=[cutoff, ANONYMOUS_NAME],
            set_clause="name = %s, email = '', phone = '', organisation = '', "
            "notes = ''",
            set_params=(ANONYMOUS_NAME,),
        )
        found.outcome = "anonymised"
    found.cutoff = cutoff
    return found
