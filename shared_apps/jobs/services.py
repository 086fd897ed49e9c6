"""Run scheduled per-tenant work exactly once, and never lose a run.

Every run is a ``JobRun`` row in the public schema. Its lifecycle:

- queued: made by a dispatcher (one per tenant, kind and day, enforced by a
  unique index) or by an operator, then sent to a worker as a tenant task
  carrying only the run's id;
- running: a worker holds the tenant's advisory lock for the kind
  (``locks``) while it works; a duplicate delivery finds the lock taken or
  the run finished and does nothing;
- succeeded / failed / cancelled: final. A failure is retried with backoff
  until ``max_attempts``, then logged at error level (and sent to Sentry
  when configured).

A worker killed mid-run releases its lock with its database session; the
sweeper (``sweep_stale_runs``) sees a running run nobody holds and either
queues the next attempt or fails it.
"""

from __future__ import annotations

import datetime
import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from opsyn.celery import TENANT_HEADER
from opsyn.errors import Conflict, InvalidInput
from shared_apps.tenants.activation import current_schema
from shared_apps.tenants.models import Tenant, TenantStatus

from . import locks, selectors
from .models import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    JobRun,
    Kind,
    Status,
    TenantSchedule,
    Trigger,
)

log = logging.getLogger(__name__)

# What each kind of job does: ``handler(*, run, progress) -> dict`` run in
# the tenant's schema. Named by path so this app imports none of them.
HANDLERS: dict[str, str] = {
    Kind.BACKUP: "shared_apps.backups.services:run_scheduled_backup",
    Kind.RETENTION: "tenant_apps.retention.services:enforce_retention",
    Kind.DRILL: "shared_apps.backups.services:run_drill",
}
# Kinds that need more than the application role may do: retention purges
# the audit log as the purge role, a drill creates and drops a schema. They
# run on the maintenance worker, which connects as the owner.
MAINTENANCE_KINDS = frozenset({Kind.RETENTION, Kind.DRILL})


class Cancelled(Exception):
    """An operator asked for the run to stop; raised between units of work."""


@dataclass
class Progress:
    """Report a run's progress; raise ``Cancelled`` when asked to stop.

    Each report is its own short write in autocommit, so operators see it
    at once; reports closer than ``every`` seconds apart are skipped.
    """

    run_id: int
    every: float = 1.0
    _last: float = field(default=0.0, repr=False)

    def update(self, done: int, total: int | None = None, unit: str = "") -> None:
        now = time.monotonic()
        if now - self._last < self.every and (total is None or done < total):
            return
        self._last = now
        values: dict[str, Any] = {"progress_done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            values["progress_total"] = total
        if unit:
            values["progress_unit"] = unit
        JobRun.objects.filter(pk=self.run_id).update(**values)
        if JobRun.objects.filter(pk=self.run_id, cancel_requested=True).exists():
            raise Cancelled()


def request_run(
    *,
    actor: str,
    tenant: Tenant,
    kind: str,
    trigger: str = Trigger.OPERATOR,
    send: bool = True,
) -> JobRun:
    """Queue a run of a kind of job for a tenant, outside its schedule.

    With ``send=False`` the run is only recorded, for a caller that runs it
    in its own process (``opsyn jobs run --inline``).
    """
    if kind not in Kind.values:
        raise InvalidInput(f"Unknown job kind {kind!r}; use {', '.join(Kind.values)}.")
    if tenant.status != TenantStatus.ACTIVE:
        raise Conflict(
            f"Tenant {tenant.slug!r} is {tenant.status}; jobs need it active."
        )
    try:
        with transaction.atomic():
            run = JobRun.objects.create(
                tenant=tenant, kind=kind, trigger=trigger, actor=actor
            )
    except IntegrityError as exc:
        holder = (
            JobRun.objects.filter(tenant=tenant, kind=kind, status__in=OPEN_STATUSES)
            .order_by("id")
            .first()
        )
        which = (
            f" (#{holder.pk}; `opsyn jobs cancel {holder.pk}` stops it)"
            if holder
            else ""
        )
        raise Conflict(
            f"A {kind} run for {tenant.slug!r} is already queued or running{which}."
        ) from exc
    log.info(
        "job.requested",
        extra={"actor": actor, "run_id": run.pk, "kind": kind, "slug": tenant.slug},
    )
    if send:
        transaction.on_commit(lambda: enqueue(run))
    return run


def enqueue(run: JobRun, *, countdown: float = 0) -> None:
    """Send a run's task to the workers, stamped with its tenant's schema."""
    from .tasks import run_job

    schema = run.tenant.schema_name
    run_job.apply_async(
        args=(run.pk,),
        headers={TENANT_HEADER: schema},
        countdown=countdown,
        queue=queue_for(run.kind),
    )


def queue_for(kind: str) -> str:
    """Return the Celery queue that runs of a kind are sent to."""
    if kind in MAINTENANCE_KINDS and settings.OPSYN_MAINTENANCE_QUEUE:
        return str(settings.OPSYN_MAINTENANCE_QUEUE)
    return str(settings.OPSYN_JOBS_QUEUE)


def dispatch(*, kind: str, now: datetime.datetime | None = None) -> list[int]:
    """Make today's scheduled runs of a kind that are due, and send them.

    Safe to run from any number of schedulers at once: the run rows are
    inserted with ``ON CONFLICT DO NOTHING`` against the per-day unique
    index, and only rows this call inserted are sent. The sends are spread
    over ``OPSYN_JOBS_SPREAD_SECONDS``.
    """
    now = now or timezone.now()
    today = now.astimezone(datetime.UTC).date()
    tenants = list(
        Tenant.objects.filter(status=TenantStatus.ACTIVE).only("id", "schema_name")
    )
    schedules = {s.tenant_id: s for s in TenantSchedule.objects.all()}
    done = set(
        JobRun.objects.filter(
            kind=kind, trigger=Trigger.SCHEDULE, slot=today
        ).values_list("tenant_id", flat=True)
    )
    due = [t for t in tenants if t.pk not in done and _is_due(t, kind, schedules, now)]
    if kind == Kind.DRILL:
        due = _drill_sample(due)

    made: list[JobRun] = []
    for tenant in due:
        run_id = _insert_scheduled_run(tenant_id=tenant.pk, kind=kind, slot=today)
        if run_id is not None:
            made.append(JobRun(pk=run_id, tenant=tenant, kind=kind))

    spread = float(settings.OPSYN_JOBS_SPREAD_SECONDS)
    step = spread / len(made) if made else 0.0
    for index, run in enumerate(made):
        enqueue(run, countdown=index * step)
    log.info("jobs.dispatched", extra={"kind": kind, "runs": len(made)})
    return [run.pk for run in made]


def _drill_sample(tenants: list[Tenant]) -> list[Tenant]:
    """Pick the tenants to drill: ones with a backup, least recently drilled.

    At most ``OPSYN_BACKUP_DRILL_SAMPLE`` a week, so every tenant is drilled
    in turn without restoring every backup every week.
    """
    backed_up = set(
        JobRun.objects.filter(kind=Kind.BACKUP, status=Status.SUCCEEDED).values_list(
            "tenant_id", flat=True
        )
    )
    last_drill: dict[int, datetime.datetime] = {}
    for tenant_id, created_at in JobRun.objects.filter(kind=Kind.DRILL).values_list(
        "tenant_id", "created_at"
    ):
        last_drill[tenant_id] = max(created_at, last_drill.get(tenant_id, created_at))
    never = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    candidates = sorted(
        (t for t in tenants if t.pk in backed_up),
        key=lambda t: (last_drill.get(t.pk, never), t.pk),
    )
    return candidates[: int(settings.OPSYN_BACKUP_DRILL_SAMPLE)]


def _is_due(
    tenant: Tenant,
    kind: str,
    schedules: dict[int, TenantSchedule],
    now: datetime.datetime,
) -> bool:
    schedule = schedules.get(tenant.pk)
    if schedule is not None and not schedule.enabled:
        return False
    if kind == Kind.DRILL:
        return True
    at = selectors.due_time(tenant_id=tenant.pk, kind=kind, schedule=schedule)
    return now.astimezone(datetime.UTC).time() >= at


def _insert_scheduled_run(
    *, tenant_id: int, kind: str, slot: datetime.date
) -> int | None:
    # ON CONFLICT DO NOTHING covers both unique indexes: another scheduler
    # made today's run, or a run of this kind is still open.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO public.jobs_jobrun (tenant_id, kind, trigger, status, slot,"
            " actor, created_at, progress_done, attempt, max_attempts,"
            " cancel_requested, error, result, progress_unit)"
            " VALUES (%s, %s, 'schedule', 'queued', %s, 'scheduler', now(), 0, 0,"
            " %s, false, '', '{}', '') ON CONFLICT DO NOTHING RETURNING id",
            [tenant_id, kind, slot, settings.OPSYN_JOBS_MAX_ATTEMPTS],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def execute_run(*, run_id: int) -> str:
    """Do a queued run's work in the current tenant; safe to call twice.

    Returns what happened, for the task's log: ``succeeded``, ``failed``,
    ``retrying``, ``cancelled``, ``busy`` (another worker holds the run),
    ``finished`` (nothing left to do) or ``missing``.
    """
    run = JobRun.objects.select_related("tenant").filter(pk=run_id).first()
    if run is None:
        log.warning("job.missing", extra={"run_id": run_id})
        return "missing"
    if run.tenant.schema_name != current_schema():
        log.error(
            "job.refused",
            extra={"run_id": run_id, "schema": current_schema(), "reason": "tenant"},
        )
        return "refused"
    if run.status in FINISHED_STATUSES:
        return "finished"
    if not locks.try_lock(run.tenant_id, run.kind):
        log.info("job.duplicate", extra={"run_id": run_id, "kind": run.kind})
        return "busy"
    try:
        return _execute_locked(run_id)
    finally:
        locks.unlock(run.tenant_id, run.kind)


def _execute_locked(run_id: int) -> str:
    run = JobRun.objects.select_related("tenant").get(pk=run_id)
    if run.status in FINISHED_STATUSES:
        return "finished"
    if run.cancel_requested:
        _finish(run, Status.CANCELLED, error="cancelled before it started")
        return "cancelled"
    if run.status == Status.RUNNING:
        # Running with nobody holding the lock: the last attempt's worker
        # died. That attempt counts as failed.
        note = f"attempt {run.attempt} was abandoned (worker lost)"
        if run.attempt >= run.max_attempts:
            _fail_loudly(run, note)
            return "failed"
        JobRun.objects.filter(pk=run.pk).update(error=note)

    now = timezone.now()
    run.attempt += 1
    run.status = Status.RUNNING
    run.started_at = run.started_at or now
    run.heartbeat_at = now
    run.save(update_fields=["attempt", "status", "started_at", "heartbeat_at"])
    log.info(
        "job.started",
        extra={"run_id": run.pk, "kind": run.kind, "attempt": run.attempt},
    )

    try:
        result = _handler(run.kind)(run=run, progress=Progress(run.pk))
    except Cancelled:
        _finish(run, Status.CANCELLED, error="cancelled by an operator")
        return "cancelled"
    except Exception as exc:
        log.warning(
            "job.attempt_failed",
            extra={"run_id": run.pk, "attempt": run.attempt, "error": repr(exc)},
            exc_info=True,
        )
        return _after_failure(run, f"{type(exc).__name__}: {exc}")
    _finish(run, Status.SUCCEEDED, result=result)
    log.info("job.succeeded", extra={"run_id": run.pk, "kind": run.kind})
    return "succeeded"


def _handler(kind: str) -> Callable[..., dict[str, Any]]:
    module, _, name = HANDLERS[kind].partition(":")
    handler: Callable[..., dict[str, Any]] = getattr(
        importlib.import_module(module), name
    )
    return handler


def _after_failure(run: JobRun, error: str) -> str:
    if run.attempt >= run.max_attempts:
        _fail_loudly(run, error)
        return "failed"
    delay = backoff_seconds(run.attempt)
    JobRun.objects.filter(pk=run.pk).update(
        status=Status.QUEUED,
        error=error,
        next_attempt_at=timezone.now() + datetime.timedelta(seconds=delay),
    )
    enqueue(run, countdown=delay)
    return "retrying"


def backoff_seconds(attempt: int) -> float:
    """Return how long to wait before the attempt after ``attempt``."""
    base = float(settings.OPSYN_JOBS_RETRY_BASE_SECONDS)
    return base * float(4 ** max(0, attempt - 1))


def _finish(
    run: JobRun, status: str, *, error: str = "", result: dict[str, Any] | None = None
) -> None:
    values: dict[str, Any] = {"status": status, "finished_at": timezone.now()}
    if error:
        values["error"] = error
    if result is not None:
        values["result"] = result
    JobRun.objects.filter(pk=run.pk).update(**values)


def _fail_loudly(run: JobRun, error: str) -> None:
    """Mark a run failed for good: an error log line and a Sentry event."""
    _finish(run, Status.FAILED, error=error)
    log.error(
        "job.failed",
        extra={
            "run_id": run.pk,
            "kind": run.kind,
            "slug": run.tenant.slug,
            "attempt": run.attempt,
            "error": error,
        },
    )
    import sentry_sdk

    if sentry_sdk.is_initialized():
        sentry_sdk.capture_message(
            f"{run.kind} run #{run.pk} for {run.tenant.slug} failed: {error}",
            level="error",
        )


def cancel_run(*, actor: str, run_id: int) -> JobRun:
    """Cancel a queued run now, or ask a running one to stop."""
    run = selectors.run_by_id(run_id)
    if run.status in FINISHED_STATUSES:
        raise Conflict(f"Run #{run_id} has already finished ({run.status}).")
    with transaction.atomic():
        JobRun.objects.filter(pk=run.pk, status=Status.QUEUED).update(
            status=Status.CANCELLED,
            finished_at=timezone.now(),
            cancel_requested=True,
            error=f"cancelled by {actor}",
        )
        JobRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
            cancel_requested=True
        )
    log.info("job.cancel_requested", extra={"actor": actor, "run_id": run_id})
    run.refresh_from_db()
    return run


def sweep_stale_runs(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Recover runs whose worker died, and resend runs whose message was lost.

    A running run whose advisory lock nobody holds was abandoned: its next
    attempt is queued, or it fails loudly when no attempts are left. A run
    queued long past its start time is sent again (a duplicate is harmless).
    """
    now = now or timezone.now()
    recovered = failed = resent = 0
    for run in JobRun.objects.select_related("tenant").filter(status=Status.RUNNING):
        if not locks.try_lock(run.tenant_id, run.kind):
            continue
        try:
            run.refresh_from_db()
            if run.status != Status.RUNNING:
                continue
            note = f"attempt {run.attempt} was abandoned (worker lost)"
            if run.attempt >= run.max_attempts:
                _fail_loudly(run, note)
                failed += 1
                continue
            delay = backoff_seconds(run.attempt)
            JobRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
                status=Status.QUEUED,
                error=note,
                next_attempt_at=now + datetime.timedelta(seconds=delay),
            )
            log.warning("job.abandoned", extra={"run_id": run.pk, "kind": run.kind})
        finally:
            locks.unlock(run.tenant_id, run.kind)
        enqueue(run, countdown=delay)
        recovered += 1

    lost_after = datetime.timedelta(seconds=settings.OPSYN_JOBS_LOST_AFTER_SECONDS)
    for run in JobRun.objects.select_related("tenant").filter(status=Status.QUEUED):
        expected = run.next_attempt_at or run.created_at
        if expected + lost_after < now:
            JobRun.objects.filter(pk=run.pk).update(next_attempt_at=now)
            enqueue(run)
            resent += 1
    if recovered or failed or resent:
        log.info(
            "jobs.swept",
            extra={"recovered": recovered, "failed": failed, "resent": resent},
        )
    return {"recovered": recovered, "failed": failed, "resent": resent}


def set_schedule(
    *,
    actor: str,
    tenant: Tenant,
    backup_time: datetime.time | None = None,
    retention_time: datetime.time | None = None,
    enabled: bool | None = None,
) -> TenantSchedule:
    """Change when a tenant's daily jobs are due (UTC)."""
    schedule, _ = TenantSchedule.objects.get_or_create(tenant=tenant)
    if backup_time is not None:
        schedule.backup_time = backup_time
    if retention_time is not None:
        schedule.retention_time = retention_time
    if enabled is not None:
        schedule.enabled = enabled
    schedule.save()
    log.info("job.schedule_changed", extra={"actor": actor, "slug": tenant.slug})
    return schedule
