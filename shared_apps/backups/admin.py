"""The operator console's backup pages (read-only; changes go via the CLI)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Backup, Restore


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Backup)
class BackupAdmin(_ReadOnly):
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
class RestoreAdmin(_ReadOnly):
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
