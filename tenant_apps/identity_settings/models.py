"""The organisation's own sign-in rules: two-factor policy and timeouts."""

from __future__ import annotations

from django.db import models


class TwoFactorPolicy(models.TextChoices):
    REQUIRED = "required", "Required for every member"
    OPTIONAL = "optional", "Optional (admins still need it)"


class IdentitySettings(models.Model):
    """One row per tenant schema; absent means the platform defaults."""

    two_factor_policy = models.CharField(
        max_length=20, choices=TwoFactorPolicy.choices, default=TwoFactorPolicy.REQUIRED
    )
    idle_timeout_minutes = models.PositiveIntegerField(default=30)
    absolute_timeout_hours = models.PositiveIntegerField(default=12)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by_user_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return (
            f"2FA {self.two_factor_policy}, idle {self.idle_timeout_minutes} min, "
            f"absolute {self.absolute_timeout_hours} h"
        )
