"""Console pages for global roles and the support access tenants granted."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from opsyn.console import PolicyAdminMixin

from . import services
from .models import OperatorRole, SupportAccess


@admin.register(OperatorRole)
class OperatorRoleAdmin(PolicyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "role", "granted_by", "created_at"]
    readonly_fields = ["granted_by", "created_at"]

    def save_model(
        self, request: HttpRequest, obj: OperatorRole, form: Any, change: bool
    ) -> None:
        saved = services.assign_global_role(
            actor=f"operator:{request.user.get_username()}",
            email=obj.user.email,
            role=obj.role,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: OperatorRole) -> None:
        services.remove_global_role(
            actor=f"operator:{request.user.get_username()}", email=obj.user.email
        )


@admin.register(SupportAccess)
class SupportAccessAdmin(PolicyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: support access is granted and revoked by tenant admins."""

    list_display = ["operator", "tenant", "reason", "created_at", "expires_at"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
