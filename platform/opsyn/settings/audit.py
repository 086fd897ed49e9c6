"""The audit log: database roles, retention floor, digests."""

from __future__ import annotations

from opsyn import env


def _app_role() -> str:
    """Return the application role, or "" when one role does everything."""
    if not env.DATABASE_OWNER_URL:
        return ""
    app = str(env.database_from_url(env.DATABASE_URL)["USER"])
    owner = str(env.database_from_url(env.DATABASE_OWNER_URL)["USER"])
    return "" if app == owner else app


OPSYN_DB_APP_ROLE = _app_role()
OPSYN_DB_PURGE_ROLE = env.DATABASE_PURGE_ROLE
# The purge function refuses cutoffs younger than this, whoever calls it.
OPSYN_AUDIT_MIN_RETENTION_DAYS = env.AUDIT_MIN_RETENTION_DAYS
OPSYN_AUDIT_DIGEST_KEY = env.AUDIT_DIGEST_KEY
OPSYN_AUDIT_DIGEST_DIR = env.STATE_DIR / "audit-digests"
OPSYN_AUDIT_EXPORT_DIR = env.STATE_DIR / "audit-exports"
# Exports of more events than this run as a background task.
OPSYN_AUDIT_EXPORT_INLINE_LIMIT = 50_000
OPSYN_AUDIT_EXPORT_LINK_SECONDS = 60 * 60
OPSYN_REPORTING_STATEMENT_TIMEOUT = "30s"
