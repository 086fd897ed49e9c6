"""Audit tables: the event shape both schemas share, and the platform's own.

Rows are written only by the capture trigger and the append function that
``capture.py`` installs (they compute the hash chain); nothing in Python
inserts, changes or deletes them directly.
"""

from __future__ import annotations

from django.db import models

GENESIS = "0" * 64


class EventFields(models.Model):
    """One audited write or security event, with its link in the hash chain."""

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField()
    # "row" for a captured INSERT/UPDATE/DELETE, else a dotted event kind
    # such as "auth.signed_in".
    kind = models.CharField(max_length=64)
    tenant = models.CharField(max_length=63)
    table_name = models.CharField(max_length=63)
    object_id = models.CharField(max_length=255)
    operation = models.CharField(max_length=16)
    changes = models.JSONField(default=dict)
    actor = models.CharField(max_length=255)
    ip = models.CharField(max_length=64, blank=True)
    session_id = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    row_hash = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)

    class Meta:
        abstract = True


class ChainFields(models.Model):
    """The head of a schema's chain: one row, updated under a row lock."""

    id = models.SmallIntegerField(primary_key=True, default=1)
    head = models.CharField(max_length=64, default=GENESIS)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(null=True)

    class Meta:
        abstract = True


class PlatformEvent(EventFields):
    """A write to a tracked public table (tenants, domains, users, ...)."""

    class Meta:
        db_table = "platform_audit_event"
        indexes = [
            models.Index(fields=["occurred_at"], name="platform_audit_time"),
            models.Index(fields=["table_name", "object_id"], name="platform_audit_obj"),
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.table_name} #{self.object_id}"


class PlatformChain(ChainFields):
    class Meta:
        db_table = "platform_audit_chain"

    def __str__(self) -> str:
        return f"platform chain head {self.head[:12]}"


class PurgeReceipt(models.Model):
    """What a retention purge removed from one schema's audit log.

    The chain head at the cut is where verification of the remaining rows
    starts: the first surviving event's ``prev_hash`` must equal it.
    """

    schema_name = models.CharField(max_length=63, db_index=True)
    actor = models.CharField(max_length=255)
    cutoff = models.DateTimeField()
    first_event_id = models.BigIntegerField()
    last_event_id = models.BigIntegerField()
    removed = models.BigIntegerField()
    head_at_cut = models.CharField(max_length=64)
    purged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "platform_audit_purge_receipt"
        ordering = ["schema_name", "last_event_id"]

    def __str__(self) -> str:
        return f"purge of {self.schema_name} through {self.last_event_id}"
