"""Global roles of platform operators, and support access to a tenant.

A global role reaches platform entities only (``platform.*``). Tenant data
is reached by support staff solely through a ``SupportAccess`` a tenant
admin granted, for a limited time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class GlobalRole(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", "Platform admin"
    SUPPORT = "support", "Support"


class OperatorRole(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(max_length=40, choices=GlobalRole.choices)
    granted_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.role}"


class SupportAccess(models.Model):
    """A tenant admin's time-limited permission for an operator to look in."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="+"
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    granted_by_user_id = models.BigIntegerField()
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "support access"

    def __str__(self) -> str:
        return f"operator {self.operator_id} in tenant {self.tenant_id}"
