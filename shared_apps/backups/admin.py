"""The operator console's backup pages (read-only; changes go via the CLI)."""

from __future__ import annotations

from django.contrib import admin

from opsyn.console import ReadOnlyAdmin

from .models import Backup, Restore


@admin.register(Backup)
class BackupAdmin(ReadOnlyAdmin):
    list_display = [
        "label",
        "tenant_slug",
        "reason",
        "status",
        "encrypted",
        "table_count",
        "row_count",
        "size_bytes",
        "created_at",
    ]
    list_filter = ["status", "reason", "encrypted"]
    search_fields = ["label", "tenant_slug"]


@admin.register(Restore)
class RestoreAdmin(ReadOnlyAdmin):
    list_display = [
        "backup_label",
        "target_schema",
        "target_slug",
        "drill",
        "status",
        "actor",
        "created_at",
    ]
    list_filter = ["status", "drill"]
