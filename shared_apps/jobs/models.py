"""Runs of scheduled per-tenant work, and each tenant's schedule."""

from __future__ import annotations

import datetime

from django.db import models


class Kind(models.TextChoices):
    BACKUP = "backup", "Backup"
    RETENTION = "retention", "Retention"
    DRILL = "drill", "Restore drill"


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    OPERATOR = "operator", "Operator"
    API = "api", "API"


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (Status.QUEUED, Status.RUNNING)
FINISHED_STATUSES = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)


class JobRun(models.Model):
    """One run of one kind of job for one tenant.

    At most one run per tenant and kind is open (queued or running) at a
    time, and a scheduled run is made at most once per tenant, kind and
    day (``slot``); both are unique indexes, so two schedulers racing each
    other make one row.
    """

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="job_runs"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    slot = models.DateField(null=True, blank=True)
    actor = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(null=True, blank=True)
    progress_unit = models.CharField(max_length=20, blank=True)
    attempt = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["tenant", "kind", "-created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_open_run_per_tenant_and_kind",
            ),
            models.UniqueConstraint(
                fields=["tenant", "kind", "slot"],
                condition=models.Q(trigger="schedule"),
                name="one_scheduled_run_per_tenant_kind_and_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def _default_backup_time() -> datetime.time:
    return datetime.time(1, 0)


def _default_retention_time() -> datetime.time:
    return datetime.time(3, 0)


class TenantSchedule(models.Model):
    """When a tenant's daily jobs become due, in UTC.

    Tenants without a row use the defaults, shifted by a few minutes per
    tenant (see ``selectors.due_time``) so that thousands of tenants do not
    all become due in the same second.
    """

    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="job_schedule"
    )
    backup_time = models.TimeField(
        default=_default_backup_time, help_text="UTC time the daily backup is due."
    )
    retention_time = models.TimeField(
        default=_default_retention_time,
        help_text="UTC time the daily retention run is due.",
    )
    enabled = models.BooleanField(
        default=True, help_text="Off: scheduled runs are skipped for this tenant."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tenant__slug"]

    def __str__(self) -> str:
        return f"schedule of {self.tenant_id}"
