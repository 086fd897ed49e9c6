"""Memberships: who belongs to this organisation, and in which role.

This table is authoritative; the public schema's membership index is
derived from it. The user column points at the public users table without
a database constraint, because a cascade cannot reach across schemas.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    CONTRIBUTOR = "contributor", "Contributor"
    ADMIN = "admin", "Admin"


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"


class Membership(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    role = models.CharField(max_length=40, choices=Role.choices, default=Role.VIEWER)
    status = models.CharField(
        max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id} ({self.role})"

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE
