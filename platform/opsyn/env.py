"""Read the process environment once, into typed values.

Every environment variable the platform understands is named here and
nowhere else; settings modules import from this module.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

PACKAGE_DIR = Path(__file__).resolve().parent
# Meaningful in a checkout (local state lives beside the code); an installed
# package takes OPSYN_STATE_DIR instead.
REPO_ROOT = PACKAGE_DIR.parents[1]


def text(name: str, default: str = "") -> str:
    """Return the variable, or the default when it is unset or empty."""
    return os.environ.get(name) or default


def flag(name: str, default: bool = False) -> bool:
    """Return a boolean variable: 1/true/yes/on are true."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def number(name: str, default: int) -> int:
    """Return an integer variable, failing loudly on a malformed one."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from exc


def items(name: str, default: str = "") -> list[str]:
    """Return a comma-separated variable as a list of stripped items."""
    return [part.strip() for part in text(name, default).split(",") if part.strip()]


def database_from_url(url: str) -> dict[str, object]:
    """Turn a postgres:// URL into the connection part of a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ValueError(
            f"DATABASE_URL must be a postgres:// URL, not {parts.scheme!r}"
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    host = query.pop("host", None) or unquote(parts.hostname or "")
    return {
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "OPTIONS": query,
    }


def with_redis_db(url: str, db: int) -> str:
    """Return a redis:// URL naming another database on the same server."""
    parts = urlsplit(url)
    return parts._replace(path=f"/{db}").geturl()


DEBUG = flag("OPSYN_DEBUG")
SECRET_KEY = text("OPSYN_SECRET_KEY")
DATABASE_URL = text("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/opsyn")
# The owner role runs migrations and provisioning; DATABASE_URL is then the
# application role used by web and worker. A process opts in to the owner's
# credentials with OPSYN_DATABASE_AS_OWNER=1 (the CLI always does). Unset:
# one role does everything (see the security notes on what that loses).
DATABASE_OWNER_URL = text("DATABASE_OWNER_URL")
DATABASE_AS_OWNER = flag("OPSYN_DATABASE_AS_OWNER")
# The role that may run the audit retention purge (granted to the owner).
DATABASE_PURGE_ROLE = text("OPSYN_DATABASE_PURGE_ROLE", "opsyn_audit_purge")
# Signs the daily audit digests; kept out of the database on purpose.
AUDIT_DIGEST_KEY = text("OPSYN_AUDIT_DIGEST_KEY")
AUDIT_MIN_RETENTION_DAYS = number("OPSYN_AUDIT_MIN_RETENTION_DAYS", 30)
REDIS_URL = text("REDIS_URL", "redis://127.0.0.1:6379/0")
# The cache gets its own Redis database: clearing it must never drop queued
# tasks from the broker's.
CACHE_URL = text("OPSYN_CACHE_URL", with_redis_db(REDIS_URL, 1))
PLATFORM_HOST = text("OPSYN_PLATFORM_HOST", "localhost")
STATE_DIR = Path(text("OPSYN_STATE_DIR", str(REPO_ROOT / ".local")))
STATIC_ROOT = Path(text("OPSYN_STATIC_ROOT", str(STATE_DIR / "static")))
MEDIA_ROOT = Path(text("OPSYN_MEDIA_ROOT", str(STATE_DIR / "media")))
SECURE_COOKIES = flag("OPSYN_SECURE_COOKIES", default=not DEBUG)
TRUSTED_PROXY_COUNT = number("OPSYN_TRUSTED_PROXIES", 0)
SCHEMA_POOL_SIZE = number("OPSYN_SCHEMA_POOL_SIZE", 2)
SENTRY_DSN = text("SENTRY_DSN")
APPINSIGHTS_CONNECTION_STRING = text("APPLICATIONINSIGHTS_CONNECTION_STRING")
ENVIRONMENT = text("OPSYN_ENVIRONMENT", "development" if DEBUG else "production")
LOG_LEVEL = text("OPSYN_LOG_LEVEL", "INFO")
CELERY_EAGER = flag("OPSYN_CELERY_EAGER")
# Backups: a local folder by default; an Azure Blob container when named.
# The key (a Fernet/AES key, base64) is kept outside the database.
BACKUP_DIR = Path(text("OPSYN_BACKUP_DIR", str(STATE_DIR / "backups")))
BACKUP_KEY = text("OPSYN_BACKUP_KEY")
BACKUP_AZURE_CONTAINER = text("OPSYN_BACKUP_AZURE_CONTAINER")
BACKUP_AZURE_CONNECTION_STRING = text("OPSYN_BACKUP_AZURE_CONNECTION_STRING")
# Or the container's URL (https://ACCOUNT.blob.core.windows.net/CONTAINER),
# reached as the process's Azure identity (AZURE_CLIENT_ID for a
# user-assigned one): what infra/ sets, as its storage takes no keys.
BACKUP_AZURE_CONTAINER_URL = text("OPSYN_BACKUP_AZURE_CONTAINER_URL")
# The Celery queue per-tenant jobs (backups, retention, drills) are sent to;
# a separate queue lets long jobs run on workers of their own.
JOBS_QUEUE = text("OPSYN_JOBS_QUEUE", "celery")
# Where the jobs that need the owner's privileges go (retention purges the
# audit log through the purge role; a restore drill creates a schema). The
# worker on it connects as the owner. Empty: they share JOBS_QUEUE, right
# when one database role does everything.
MAINTENANCE_QUEUE = text("OPSYN_MAINTENANCE_QUEUE")
# Fernet key(s), comma-separated, newest first, for secrets stored in the
# database (TOTP keys). Without one, DEBUG derives a key from SECRET_KEY.
FIELD_ENCRYPTION_KEYS = items("OPSYN_FIELD_ENCRYPTION_KEY")
SMTP_HOST = text("OPSYN_SMTP_HOST")
SMTP_PORT = number("OPSYN_SMTP_PORT", 587)
SMTP_USER = text("OPSYN_SMTP_USER")
SMTP_PASSWORD = text("OPSYN_SMTP_PASSWORD")
SMTP_STARTTLS = flag("OPSYN_SMTP_STARTTLS", default=False)
MAIL_FROM = text("OPSYN_MAIL_FROM", "OpSyn <no-reply@opsyn.localhost>")
# The port people reach the web server on, for links in emails (empty: the
# scheme's default, as behind the production ingress).
PUBLIC_PORT = text("OPSYN_PUBLIC_PORT")
