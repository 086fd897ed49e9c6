"""A database session store that keeps each session on its own host.

A session key presented on any host other than the one that created the
session loads as a new, empty session: signing in on one tenant's domain
never signs anyone in on another's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from .models import Session


class SessionStore(DatabaseStore):
    def __init__(
        self,
        session_key: str | None = None,
        *,
        host: str | None = None,
        ip: str | None = None,
        user_agent: str = "",
    ) -> None:
        super().__init__(session_key)
        self.host = host or ""
        self.ip = ip
        self.user_agent = user_agent[:400]

    @classmethod
    def get_model_class(cls) -> type[Session]:
        return Session

    def _get_session_from_db(self) -> Session | None:
        found = super()._get_session_from_db()
        if found is not None and found.host != self.host:
            self._session_key = None
            return None
        return found  # type: ignore[no-any-return]

    def create_model_instance(self, data: dict[str, Any]) -> Session:
        user_id = data.get("_auth_user_id")
        return Session(
            session_key=self._get_or_create_session_key(),
            session_data=self.encode(data),
            expire_date=self.get_expiry_date(),
            host=self.host,
            user_id=int(user_id) if user_id is not None else None,
            ip=self.ip,
            user_agent=self.user_agent,
        )

    def exists(self, session_key: str) -> bool:
        return Session.objects.filter(session_key=session_key).exists()
