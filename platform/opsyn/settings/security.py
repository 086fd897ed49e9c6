"""Cookies, passwords and transport security."""

from __future__ import annotations

from opsyn import env

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
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": (
            "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
        )
    },
]

AUTHENTICATION_BACKENDS = ["shared_apps.accounts.backends.EmailBackend"]
