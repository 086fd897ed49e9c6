"""Core Django settings: database, cache, middleware, templates, files."""

from __future__ import annotations

from opsyn import env

BASE_DIR = env.REPO_ROOT
DEBUG = env.DEBUG
SECRET_KEY = env.SECRET_KEY or (
    "insecure-development-key-only-for-debug" if env.DEBUG else ""
)

# Migrations, provisioning and the CLI connect as the owner role, web and
# worker as the application role (see settings/audit.py).
_database = env.database_from_url(
    env.DATABASE_OWNER_URL
    if env.DATABASE_AS_OWNER and env.DATABASE_OWNER_URL
    else env.DATABASE_URL
)
DATABASES = {
    "default": {
        "ENGINE": "django_tenants.postgresql_backend",
        **_database,
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    # Tenant data: every key is prefixed with the active schema, so one
    # tenant's entries can never be read under another tenant.
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.CACHE_URL,
        "KEY_FUNCTION": "shared_apps.tenants.caching.tenant_cache_key",
        "KEY_PREFIX": "opsyn",
    },
    # Platform data (routing, throttles): keys are not tenant-scoped.
    "platform": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.CACHE_URL,
        "KEY_PREFIX": "opsyn-platform",
    },
}

MIDDLEWARE = [
    "shared_apps.tenants.middleware.TenantRoutingMiddleware",
    "opsyn.middleware.NulCharacterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shared_apps.sessions.middleware.HostBoundSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tenant_apps.members.middleware.MembershipMiddleware",
    "shared_apps.accounts.middleware.TwoFactorGateMiddleware",
    "shared_apps.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [env.PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenant_apps.access.navigation.navigation",
            ],
        },
    }
]

WSGI_APPLICATION = "opsyn.wsgi.application"
ASGI_APPLICATION = "opsyn.asgi.application"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.STATIC_ROOT
MEDIA_ROOT = env.MEDIA_ROOT
MEDIA_URL = "/media/"
STORAGES = {
    # Files are stored under MEDIA_ROOT/<schema>/, one folder per tenant.
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# In development static files come straight from the apps, no collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/sign-in/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/sign-in/"
ALLOWED_HOSTS = ["*"]  # Host routing decides; unknown hosts get a 404.
