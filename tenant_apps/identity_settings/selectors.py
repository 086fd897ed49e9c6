"""Read the organisation's identity settings."""

from __future__ import annotations

from .models import IdentitySettings


def current_identity_settings() -> IdentitySettings:
    """Return this tenant's settings; unsaved defaults if it has none yet."""
    return IdentitySettings.objects.order_by("pk").first() or IdentitySettings()
