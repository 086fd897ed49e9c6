"""Reads about this organisation's invitations."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet
from django.utils import timezone

from .models import Invitation


def pending_invitations() -> QuerySet[Invitation]:
    """Return the invitations still waiting for an answer, newest first."""
    return Invitation.objects.filter(
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).order_by("-created_at")


def open_invitation_for_token(token: str) -> Invitation | None:
    """Return the open invitation a link's token belongs to, if any."""
    found = Invitation.objects.filter(token_hash=hash_token(token)).first()
    return found if found is not None and found.is_open else None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
