"""Tenants, their domains, and schemas prepared ahead of provisioning."""

from __future__ import annotations

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class TenantStatus(models.TextChoices):
    PROVISIONING = "provisioning", "Provisioning"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    DELETING = "deleting", "Deleting"


class Tenant(TenantMixin):
    """One customer organisation, with its own PostgreSQL schema."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=50, unique=True)
    status = models.CharField(
        max_length=20, choices=TenantStatus.choices, default=TenantStatus.PROVISIONING
    )
    region = models.CharField(max_length=40, default="uksouth")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Schemas are created and dropped by the provisioning services, never as
    # a side effect of saving or deleting a row.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    @property
    def is_active(self) -> bool:
        return self.status == TenantStatus.ACTIVE


class Domain(DomainMixin):
    """A host name that routes to a tenant, stored in canonical form."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(is_primary=True),
                name="one_primary_domain_per_tenant",
            )
        ]

    def __str__(self) -> str:
        return self.domain


class PreparedSchema(models.Model):
    """A schema migrated ahead of time, waiting to become a tenant's.

    ``fingerprint`` names the set of tenant migrations the schema has; only
    schemas whose fingerprint matches the code are handed out.
    """

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.schema_name
