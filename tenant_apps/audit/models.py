"""The organisation's audit log and the head of its hash chain."""

from __future__ import annotations

from django.db import models

from shared_apps.audit.models import ChainFields, EventFields


class AuditEvent(EventFields):
    class Meta:
        db_table = "audit_event"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["occurred_at"], name="audit_event_time"),
            models.Index(fields=["table_name", "object_id"], name="audit_event_obj"),
            models.Index(fields=["actor"], name="audit_event_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.table_name} #{self.object_id}"


class AuditChain(ChainFields):
    class Meta:
        db_table = "audit_chain"

    def __str__(self) -> str:
        return f"chain head {self.head[:12]}"
