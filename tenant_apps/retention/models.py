"""A tenant's retention policy, its legal holds, and receipts of each run."""

from __future__ import annotations

from django.db import models


class Category(models.TextChoices):
    AUDIT = "audit", "Audit events"
    SESSIONS = "sessions", "Ended sessions"
    WEBHOOKS = "webhooks", "Webhook deliveries"
    JOB_RUNS = "job_runs", "Finished job runs"
    BACKUPS = "backups", "Backups"
    CONTACTS = "contacts", "Contacts not touched"


class ContactAction(models.TextChoices):
    ANONYMISE = "anonymise", "Anonymise"
    DELETE = "delete", "Delete"


class RetentionPolicy(models.Model):
    """How long each category of the tenant's data is kept (one row).

    Defaults are documented in ``policy.DEFAULTS``; the platform's bounds in
    ``settings.OPSYN_RETENTION_BOUNDS``.
    """

    audit_years = models.PositiveSmallIntegerField(default=6)
    sessions_days = models.PositiveIntegerField(default=90)
    webhooks_days = models.PositiveIntegerField(default=30)
    job_runs_days = models.PositiveIntegerField(default=90)
    backups_weekly_keep = models.PositiveSmallIntegerField(default=4)
    # None keeps contacts however long they go untouched.
    contacts_days = models.PositiveIntegerField(null=True, blank=True)
    contacts_action = models.CharField(
        max_length=20, choices=ContactAction.choices, default=ContactAction.ANONYMISE
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by_id = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return "retention policy"


class LegalHold(models.Model):
    """A hold that stops deletion: of every category, or of one."""

    category = models.CharField(
        max_length=20,
        choices=Category.choices,
        blank=True,
        help_text="Empty holds every category.",
    )
    reason = models.CharField(max_length=300)
    placed_by_id = models.BigIntegerField(null=True)
    placed_at = models.DateTimeField(auto_now_add=True)
    released_by_id = models.BigIntegerField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]

    def __str__(self) -> str:
        return f"hold on {self.category or 'everything'}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None


class RetentionReceipt(models.Model):
    """What one retention run did to one category."""

    run_id = models.BigIntegerField(null=True, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    outcome = models.CharField(max_length=20)
    cutoff = models.DateTimeField(null=True, blank=True)
    rows_removed = models.BigIntegerField(default=0)
    batches = models.PositiveIntegerField(default=0)
    longest_batch_ms = models.FloatField(default=0)
    note = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()

    class Meta:
        ordering = ["-finished_at", "-id"]

    def __str__(self) -> str:
        return f"{self.category}: {self.outcome} {self.rows_removed}"
