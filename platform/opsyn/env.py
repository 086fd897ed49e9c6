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
