"""Invitations to join this organisation, accepted through an emailed link."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Invitation(models.Model):
    """An offer of membership to an email address.

    Only a hash of the link's token is kept: the table cannot be used to
    accept anyone's invitation. ``signed_up_user_id`` is set when a new
    person has made an account from the link but not yet verified it.
    """

    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=40)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    # None: an operator invited the organisation's first admin from the CLI.
    invited_by_user_id = models.BigIntegerField(null=True, blank=True)
    signed_up_user_id = models.BigIntegerField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"invitation of {self.email} as {self.role}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
