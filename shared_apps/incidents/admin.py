"""The incident register in the operator console."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Incident, IncidentUpdate


class UpdateInline(admin.TabularInline):  # type: ignore[type-arg]
    model = IncidentUpdate
    extra = 1
    fields = ("at", "author", "text")
    readonly_fields = ("at",)


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "title",
        "severity",
        "status",
        "personal_data",
        "detected_at",
        "customers_notified_at",
    ]
    list_filter = ["severity", "status", "personal_data"]
    search_fields = ["title", "summary"]
    filter_horizontal = ["tenants"]
    readonly_fields = ["opened_by", "created_at", "updated_at"]
    inlines = [UpdateInline]

    def save_model(
        self, request: HttpRequest, obj: Incident, form: Any, change: bool
    ) -> None:
        if not change:
            obj.opened_by = f"operator:{request.user.get_username()}"
        super().save_model(request, obj, form, change)
