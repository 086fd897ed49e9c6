"""The operator console's job pages: runs (read-only) and schedules."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from opsyn.errors import PlatformError

from . import services
from .models import JobRun, TenantSchedule


def _actor(request: HttpRequest) -> str:
    return f"operator:{request.user.get_username()}"


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "id",
        "tenant",
        "kind",
        "trigger",
        "status",
        "attempt",
        "progress",
        "created_at",
        "finished_at",
        "short_error",
    ]
    list_filter = ["status", "kind", "trigger"]
    search_fields = ["tenant__slug", "error"]
    actions = ["cancel", "run_again"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in JobRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Progress")
    def progress(self, run: JobRun) -> str:
        if run.progress_total:
            return f"{run.progress_done}/{run.progress_total} {run.progress_unit}"
        return str(run.progress_done or "")

    @admin.display(description="Error")
    def short_error(self, run: JobRun) -> str:
        return run.error[:80]

    @admin.action(description="Cancel selected runs")
    def cancel(self, request: HttpRequest, queryset: QuerySet[JobRun]) -> None:
        for run in queryset:
            try:
                services.cancel_run(actor=_actor(request), run_id=run.pk)
                self.message_user(request, f"run #{run.pk}: cancel requested")
            except PlatformError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)

    @admin.action(description="Run the same job again now")
    def run_again(self, request: HttpRequest, queryset: QuerySet[JobRun]) -> None:
        for run in queryset:
            try:
                again = services.request_run(
                    actor=_actor(request), tenant=run.tenant, kind=run.kind
                )
                self.message_user(request, f"queued run #{again.pk}")
            except PlatformError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)


@admin.register(TenantSchedule)
class TenantScheduleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["tenant", "backup_time", "retention_time", "enabled", "updated_at"]
    list_editable = ["backup_time", "retention_time", "enabled"]
    search_fields = ["tenant__slug"]
    autocomplete_fields = ["tenant"]
