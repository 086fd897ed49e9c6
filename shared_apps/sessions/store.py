"""A database session store that keeps each session on its own host.

A session key presented on any host other than the one that created the
session loads as a new, empty session: signing in on one tenant's domain
never signs anyone in on another's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Session

# How stale last_seen_at may get before a request writes it again.
SEEN_RESOLUTION = timedelta(seconds=60)


class SessionStore(DatabaseStore):
    def __init__(
        self,
        session_key: str | None = None,
        *,
        host: str | None = None,
        ip: str | None = None,
        user_agent: str = "",
        fingerprint: str = "",
    ) -> None:
        super().__init__(session_key)
        self.host = host or ""
        self.ip = ip
        self.user_agent = user_agent[:400]
        self.fingerprint = fingerprint
        # Filled by load(): what the row says about the session's age.
        self.public_id: str | None = None
        self.created_at: datetime | None = None
        self.last_seen_at: datetime | None = None

    @classmethod
    def get_model_class(cls) -> type[Session]:
        return Session

    def load(self) -> dict[str, Any]:
        """Return the session's data, or nothing if it is not this host's."""
        found = Session.objects.filter(
            session_key=self.session_key,
            host=self.host,
            expire_date__gt=timezone.now(),
        ).first()
        if found is None:
            self._session_key = None
            return {}
        self.public_id = str(found.public_id)
        self.created_at = found.created_at
        self.last_seen_at = found.last_seen_at
        return self.decode(found.session_data)

    def expired_by(self, *, idle: timedelta, absolute: timedelta) -> bool:
        """End the session if it has been idle or alive too long.

        Return True if it was ended. Otherwise note that it was seen, at
        most once a minute, so idleness is measured on the server.
        """
        _privates(self)._get_session()
        if self.created_at is None or self.last_seen_at is None:
            return False
        now = timezone.now()
        if now - self.last_seen_at > idle or now - self.created_at > absolute:
            self.delete()
            self._session_cache: dict[str, Any] = {}
            self._session_key = None
            self.public_id = None
            return True
        if now - self.last_seen_at > SEEN_RESOLUTION:
            Session.objects.filter(session_key=self.session_key).update(
                last_seen_at=now
            )
            self.last_seen_at = now
        return False

    def save(self, must_create: bool = False) -> None:
        """Write the session; an update touches only what a request changes.

        Creation records where the session began (host, IP, user agent);
        later saves never move it to another host.
        """
        if self.session_key is None:
            self.create()
            return
        data = _privates(self)._get_session(no_load=must_create)
        user_id = data.get("_auth_user_id")
        values = {
            "session_data": self.encode(data),
            "expire_date": self.get_expiry_date(),
            "user_id": int(user_id) if user_id is not None else None,
        }
        if must_create:
            try:
                with transaction.atomic():
                    row = Session.objects.create(
                        session_key=_privates(self)._get_or_create_session_key(),
                        host=self.host,
                        ip=self.ip,
                        user_agent=self.user_agent,
                        fingerprint=self.fingerprint,
                        **values,
                    )
            except IntegrityError as exc:
                raise CreateError from exc
            self.public_id = str(row.public_id)
            self.created_at = row.created_at
            self.last_seen_at = row.last_seen_at
            return
        updated = Session.objects.filter(
            session_key=self.session_key, host=self.host
        ).update(last_seen_at=timezone.now(), **values)
        if not updated:
            raise UpdateError

    def exists(self, session_key: str) -> bool:
        return Session.objects.filter(session_key=session_key).exists()


class _BaseStoreInternals(Protocol):
    """Methods of Django's session base class that its type stubs omit."""

    def _get_session(self, no_load: bool = False) -> dict[str, Any]: ...

    def _get_or_create_session_key(self) -> str: ...


def _privates(store: SessionStore) -> _BaseStoreInternals:
    return cast(_BaseStoreInternals, store)
