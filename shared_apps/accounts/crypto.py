"""Encryption of secrets the database keeps (TOTP keys), with Fernet."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def encrypt(secret: bytes) -> str:
    """Return the secret encrypted with the newest key."""
    return _fernet().encrypt(secret).decode()


def decrypt(token: str) -> bytes:
    """Return the secret; any configured key may have encrypted it."""
    try:
        return _fernet().decrypt(token.encode())
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with OPSYN_FIELD_ENCRYPTION_KEY; "
            "keep the old key in the list while rotating."
        ) from exc


def _fernet() -> MultiFernet:
    keys = list(settings.OPSYN_FIELD_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured(
            "OPSYN_FIELD_ENCRYPTION_KEY must be set (a Fernet key: "
            "python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')."
        )
    return MultiFernet([Fernet(key.encode()) for key in keys])
