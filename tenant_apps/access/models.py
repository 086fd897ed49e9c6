"""Organisation roles, their grants, and which modules are switched on.

A member's role is the key in ``Membership.role``. The three presets are
defined in code (``presets.py``) from the catalogue, so they cannot be
edited away and cover new modules automatically; this table holds only the
custom roles an organisation composes, with their grants as rows.
"""

from __future__ import annotations

from django.db import models


class Role(models.Model):
    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Grant(models.Model):
    """One (entity, action, scope) a custom role carries."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants")
    entity = models.CharField(max_length=80)
    action = models.CharField(max_length=40)
    scope = models.CharField(
        max_length=10, choices=[("own", "Own"), ("all", "All")], default="all"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["role", "entity", "action"], name="grant_unique_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.role_id}: {self.action} {self.entity} ({self.scope})"


class ModuleSetting(models.Model):
    """An organisation's switch for one module; no row means switched on."""

    module = models.CharField(max_length=40, unique=True)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.module}: {'on' if self.enabled else 'off'}"


class MemberModuleFlag(models.Model):
    """A module switched off (or on) for one member; no row means on."""

    user_id = models.BigIntegerField()
    module = models.CharField(max_length=40)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user_id", "module"], name="member_module_flag_unique"
            )
        ]

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"{self.module} {state} for user {self.user_id}"
