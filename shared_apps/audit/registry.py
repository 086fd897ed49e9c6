"""What the audit log tracks, what it leaves out and why, what it redacts.

This is the one registry. Every table in a tenant schema is tracked unless
it is listed in ``TENANT_OPT_OUTS`` with its reason; in the public schema
only the tables of ``PUBLIC_TRACKED`` are. A model that does not exist yet
(platform roles, say) is skipped until its app lands.
"""

from __future__ import annotations

# Columns whose values never reach the log, in any table: a change shows as
# {"changed": true}. Names, not types, decide, so a new secret column must
# be named here (or named like one of these) to be kept out.
REDACTED_COLUMNS: frozenset[str] = frozenset(
    {
        "password",
        "session_data",
        "session_key",
        "key",  # django-otp devices keep the TOTP secret in "key"
        "encrypted_key",  # accounts.TOTPDevice: encrypted, still a secret
        "code_hash",  # accounts.RecoveryCode
        "secret",
        "secret_key",
        "otp_secret",
        "key_hash",
        "hashed_key",
        "token",
        "token_hash",
        "signing_secret",
        "webhook_secret",
        "recovery_codes",
    }
)

# Tenant tables that are not audited, each with the reason.
TENANT_OPT_OUTS: dict[str, str] = {
    "audit_event": "the audit log itself; guarded append-only instead",
    "audit_chain": "the chain head, written only by the capture function",
    "django_migrations": "schema history written by migrate, not by users",
    "django_content_type": "framework metadata synchronised by migrate",
}

# Public tables that are audited: model label -> operations captured.
PUBLIC_TRACKED: dict[str, tuple[str, ...]] = {
    "tenants.Tenant": ("INSERT", "UPDATE", "DELETE"),
    "tenants.Domain": ("INSERT", "UPDATE", "DELETE"),
    "accounts.User": ("INSERT", "UPDATE", "DELETE"),
    "accounts.MembershipIndex": ("INSERT", "UPDATE", "DELETE"),
    "accounts.TOTPDevice": ("INSERT", "UPDATE", "DELETE"),
    "accounts.RecoveryCode": ("INSERT", "UPDATE", "DELETE"),
    "operators.OperatorRole": ("INSERT", "UPDATE", "DELETE"),
    "operators.SupportAccess": ("INSERT", "UPDATE", "DELETE"),
    "incidents.Incident": ("INSERT", "UPDATE", "DELETE"),
    # Lifecycle only: every request refreshes last_seen_at, and sign-in and
    # sign-out arrive as security events of their own.
    "opsyn_sessions.Session": ("INSERT", "DELETE"),
}

OPERATIONS: tuple[str, ...] = ("INSERT", "UPDATE", "DELETE")
