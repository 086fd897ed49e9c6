"""Sign in by email address, compared without case."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .models import User, normalise_email


class EmailBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = normalise_email(username or kwargs.get("email") or "")
        user = User.objects.filter(email=email).first()
        if user is None:
            # Spend the same time as a real check, so absence is not visible.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
