"""Tenant backups and the restores made from them."""

from __future__ import annotations

from django.db import models


class BackupStatus(models.TextChoices):
    WRITING = "writing", "Writing"
    COMPLETE = "complete", "Complete"
    FAILED = "failed", "Failed"


class BackupReason(models.TextChoices):
    DAILY = "daily", "Daily"
    OPERATOR = "operator", "Operator"
    PRE_PROMOTE = "pre_promote", "Before a promote"


class Backup(models.Model):
    """One snapshot of one tenant's schema, in backup storage.

    Only a ``complete`` backup may be restored: it becomes complete after
    every file and the manifest are stored. A backup whose worker died stays
    ``writing`` until the next attempt or the sweeper marks it failed, and
    its files are never read.
    """

    tenant = models.ForeignKey(
        "tenants.Tenant", null=True, on_delete=models.SET_NULL, related_name="backups"
    )
    tenant_slug = models.CharField(max_length=50)
    schema_name = models.CharField(max_length=63)
    label = models.CharField(max_length=80, unique=True)
    location = models.CharField(max_length=300)
    reason = models.CharField(max_length=20, choices=BackupReason.choices)
    status = models.CharField(
        max_length=20, choices=BackupStatus.choices, default=BackupStatus.WRITING
    )
    run_id = models.BigIntegerField(null=True, blank=True)
    encrypted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    snapshot_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    size_bytes = models.BigIntegerField(default=0)
    table_count = models.PositiveIntegerField(default=0)
    row_count = models.BigIntegerField(default=0)
    manifest = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "status", "-created_at"])]

    def __str__(self) -> str:
        return self.label


class RestoreStatus(models.TextChoices):
    VERIFIED = "verified", "Verified"
    FAILED = "failed", "Failed"
    PROMOTED = "promoted", "Promoted"
    DROPPED = "dropped", "Dropped (drill)"


class Restore(models.Model):
    """A backup restored into a new schema, and what verifying it found."""

    # Pruning a backup keeps the record of restores made from it.
    backup = models.ForeignKey(
        Backup, null=True, on_delete=models.SET_NULL, related_name="restores"
    )
    backup_label = models.CharField(max_length=80)
    target_schema = models.CharField(max_length=63)
    target_slug = models.CharField(max_length=50, blank=True)
    actor = models.CharField(max_length=200)
    drill = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=RestoreStatus.choices)
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.backup_label} → {self.target_schema}"
