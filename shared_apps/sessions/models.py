"""Server-side sessions, each bound to the host it was created on."""

from __future__ import annotations

import uuid

from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class Session(AbstractBaseSession):
    """A signed-in (or anonymous) browser session.

    ``public_id`` identifies the session in logs and admin screens; the
    session key is a credential and is never shown.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    host = models.CharField(max_length=253, db_index=True)
    user_id = models.BigIntegerField(null=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)
    ip = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=400, blank=True)
    # A keyed hash of the browser's identifying headers: recognisable on
    # the sessions screen, useless to anyone reading the table.
    fingerprint = models.CharField(max_length=64, blank=True)

    @classmethod
    def get_session_store_class(cls) -> type:
        from .store import SessionStore

        return SessionStore
