"""The platform's own audit log in the operator console: read, never change."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from opsyn.console import ReadOnlyAdmin

from .models import PlatformEvent, PurgeReceipt


@admin.register(PlatformEvent)
class PlatformEventAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "occurred_at",
        "kind",
        "table_name",
        "object_id",
        "operation",
        "actor",
        "ip",
    ]
    list_filter = ["kind", "table_name", "operation"]
    search_fields = ["actor", "object_id", "session_id", "request_id"]
    date_hierarchy = "occurred_at"
    ordering = ["-id"]
    shown = (
        "occurred_at",
        "kind",
        "table_name",
        "object_id",
        "operation",
        "diff",
        "actor",
        "ip",
        "session_id",
        "request_id",
        "row_hash",
        "prev_hash",
        "chain_hash",
    )
    fields = shown
    readonly_fields = shown

    @admin.display(description="changes")
    def diff(self, event: PlatformEvent) -> str:
        text = json.dumps(event.changes, indent=2, sort_keys=True)
        return format_html("<pre>{}</pre>", text)


@admin.register(PurgeReceipt)
class PurgeReceiptAdmin(ReadOnlyAdmin):
    list_display = [
        "schema_name",
        "purged_at",
        "cutoff",
        "first_event_id",
        "last_event_id",
        "removed",
        "actor",
    ]
    list_filter = ["schema_name"]
