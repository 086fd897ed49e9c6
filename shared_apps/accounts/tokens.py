"""Signed, expiring, single-use tokens for emailed links.

A token carries the user id and a hash of the account state it was made
for; using it changes that state (the address is verified, the password
changes), so the same link never works twice.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core import signing

from .models import User

VERIFY = "opsyn.accounts.verify-email"
RESET = "opsyn.accounts.reset-password"


def make(user: User, purpose: str) -> str:
    """Return a URL-safe token for one purpose."""
    return signing.dumps({"u": user.pk, "s": _state(user, purpose)}, salt=purpose)


def read(token: str, purpose: str) -> User | None:
    """Return the user a token is for, or None if it is invalid or used."""
    try:
        payload = signing.loads(token, salt=purpose, max_age=_lifetime(purpose))
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=payload.get("u"), is_active=True).first()
    if user is None:
        return None
    if not hmac.compare_digest(str(payload.get("s", "")), _state(user, purpose)):
        return None
    return user


def _lifetime(purpose: str) -> int:
    if purpose == VERIFY:
        return int(settings.OPSYN_EMAIL_VERIFICATION_SECONDS)
    return int(settings.PASSWORD_RESET_TIMEOUT)


def _state(user: User, purpose: str) -> str:
    parts = [purpose, str(user.pk), user.email, user.password]
    if purpose == VERIFY:
        parts.append(str(user.email_verified_at))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
