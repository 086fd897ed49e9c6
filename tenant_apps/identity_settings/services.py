"""Change the organisation's two-factor policy and session lifetimes."""

from __future__ import annotations

import logging

from django.conf import settings

from opsyn.errors import InvalidInput
from shared_apps.accounts.models import User

from .models import IdentitySettings, TwoFactorPolicy
from .selectors import current_identity_settings

log = logging.getLogger(__name__)


def update_identity_settings(
    *,
    actor: User,
    two_factor_policy: str,
    idle_timeout_minutes: int,
    absolute_timeout_hours: int,
) -> IdentitySettings:
    """Save the organisation's choices, refusing values outside the bounds."""
    if two_factor_policy not in TwoFactorPolicy.values:
        raise InvalidInput(
            f"Two-factor policy must be one of {', '.join(TwoFactorPolicy.values)}."
        )
    low, high = settings.OPSYN_SESSION_IDLE_BOUNDS
    if not low <= idle_timeout_minutes <= high:
        raise InvalidInput(
            f"The idle timeout must be between {low} and {high} minutes."
        )
    low, high = settings.OPSYN_SESSION_ABSOLUTE_BOUNDS
    if not low <= absolute_timeout_hours <= high:
        raise InvalidInput(
            f"The absolute timeout must be between {low} and {high} hours."
        )
    if absolute_timeout_hours * 60 < idle_timeout_minutes:
        raise InvalidInput("The idle timeout cannot be longer than the absolute one.")

    chosen = current_identity_settings()
    chosen.two_factor_policy = two_factor_policy
    chosen.idle_timeout_minutes = idle_timeout_minutes
    chosen.absolute_timeout_hours = absolute_timeout_hours
    chosen.updated_by_user_id = actor.pk
    chosen.save()

    log.info(
        "identity_settings.updated",
        extra={
            "actor_id": actor.pk,
            "two_factor_policy": two_factor_policy,
            "idle_timeout_minutes": idle_timeout_minutes,
            "absolute_timeout_hours": absolute_timeout_hours,
        },
    )
    return chosen
