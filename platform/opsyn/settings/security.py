"""Cookies, passwords and transport security."""

from __future__ import annotations

import base64
import hashlib

from opsyn import env


def _derived_key() -> str:
    from .core import SECRET_KEY

    digest = hashlib.sha256(f"opsyn-fields:{SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


SESSION_ENGINE = "shared_apps.sessions.store"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.SECURE_COOKIES
# Host-only cookies: the __Host- prefix forbids a Domain attribute and
# requires Secure, so browsers refuse to share the cookie across tenants.
SESSION_COOKIE_NAME = "__Host-opsyn-session" if env.SECURE_COOKIES else "opsyn-session"
SESSION_COOKIE_DOMAIN = None
SESSION_COOKIE_AGE = 12 * 60 * 60
CSRF_COOKIE_SECURE = env.SECURE_COOKIES
CSRF_COOKIE_NAME = "__Host-opsyn-csrf" if env.SECURE_COOKIES else "opsyn-csrf"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "django.views.csrf.csrf_failure"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.TRUSTED_PROXY_COUNT else None
)
SECURE_HSTS_SECONDS = 0 if env.DEBUG else 31536000
OPSYN_TRUSTED_PROXIES = env.TRUSTED_PROXY_COUNT

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Strength is judged, not character classes (NIST SP 800-63B): length,
# Django's common-password list, likeness to the account and organisation,
# and zxcvbn's estimate. Each message says why and what would pass.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "shared_apps.accounts.passwords.LengthValidator"},
    {"NAME": "shared_apps.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "shared_apps.accounts.passwords.SimilarityValidator"},
    {"NAME": "shared_apps.accounts.passwords.StrengthValidator"},
]
OPSYN_PASSWORD_MIN_LENGTH = 12
OPSYN_PASSWORD_MAX_LENGTH = 256
# Reset links are single use and short-lived; verification links last 24 h.
PASSWORD_RESET_TIMEOUT = 60 * 60
OPSYN_EMAIL_VERIFICATION_SECONDS = 24 * 60 * 60

AUTHENTICATION_BACKENDS = ["shared_apps.accounts.backends.EmailBackend"]

# Secrets kept in the database (TOTP keys) are Fernet-encrypted with these.
OPSYN_FIELD_ENCRYPTION_KEYS = env.FIELD_ENCRYPTION_KEYS or (
    # Development only: a key derived from the development SECRET_KEY, so
    # scripts/run needs no setup. Production refuses to start 2FA without one.
    [_derived_key()] if env.DEBUG else []
)

# Session lifetimes. Organisations choose within the bounds; the platform
# host (operators) always uses the defaults.
OPSYN_SESSION_IDLE_MINUTES = 30
OPSYN_SESSION_IDLE_BOUNDS = (5, 240)
OPSYN_SESSION_ABSOLUTE_HOURS = 12
OPSYN_SESSION_ABSOLUTE_BOUNDS = (1, 24)

# Sign-in throttling: growing delays per account from the fifth failure, a
# 15-minute lock at the tenth, and a cap on failures from one address.
OPSYN_SIGNIN_DELAY_AFTER = 5
OPSYN_SIGNIN_LOCK_AFTER = 10
OPSYN_SIGNIN_LOCK_SECONDS = 15 * 60
OPSYN_SIGNIN_WINDOW_SECONDS = 60 * 60
OPSYN_SIGNIN_IP_LIMIT = 50
# Second-factor codes: a million possibilities, so far fewer tries.
OPSYN_OTP_LOCK_AFTER = 5
# Verification emails a person may ask for per hour.
OPSYN_VERIFICATION_RESENDS_PER_HOUR = 3

# Accounts excused from the two-factor requirement. Empty in every real
# deployment; the test settings name the shared fixture accounts that
# other suites sign in with by password alone.
OPSYN_TWO_FACTOR_EXEMPT_EMAILS: tuple[str, ...] = ()
