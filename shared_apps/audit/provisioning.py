"""Provisioning by the application role, which owns nothing.

Claiming a prepared schema renames it, and only a schema's owner may do
that; the per-schema audit functions also name their schema and must be
re-created under the new name. ``opsyn_claim_prepared_schema`` does both as
the owner (``SECURITY DEFINER``), inside the caller's transaction, and the
application role may execute nothing else of the kind. It can only claim a
schema from the prepared pool, and only under a valid new name; preparing
schemas (CREATE SCHEMA and migrations) stays an owner's job (``opsyn pool
fill``, run at deploy time and by operators).
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from .capture import TRIGGER_PREFIX

CLAIM_FUNCTION = f"""
CREATE OR REPLACE FUNCTION public.opsyn_claim_prepared_schema(
    p_new text, p_fingerprint text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
    old text;
    fn record;
BEGIN
    IF p_new !~ '^[a-z][a-z0-9_]*$' OR octet_length(p_new) > 63
       OR p_new LIKE 'pg\\_%' OR p_new IN ('public', 'information_schema',
       'default', 'template', 'platform', 'admin') THEN
        RAISE EXCEPTION 'schema name % is not allowed', p_new
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT schema_name INTO old FROM tenants_preparedschema
    WHERE fingerprint = p_fingerprint ORDER BY created_at
    LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF old IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('ALTER SCHEMA %I RENAME TO %I', old, p_new);
    DELETE FROM tenants_preparedschema WHERE schema_name = old;
    -- The audit functions pin their schema by name; pool names are unique
    -- random strings, so replacing them in each definition is exact.
    FOR fn IN
        SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = p_new AND p.proname LIKE '{TRIGGER_PREFIX}%'
    LOOP
        EXECUTE replace(pg_get_functiondef(fn.oid), old, p_new);
    END LOOP;
    RETURN old;
END
$fn$"""  # noqa: S608


def install_claim_function(*, app_role: str) -> None:
    """Create the claim function in public; only the app role may run it."""
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_FUNCTION)
        cursor.execute(
            "REVOKE ALL ON FUNCTION public.opsyn_claim_prepared_schema(text, text) "
            "FROM PUBLIC"
        )
        if app_role:
            cursor.execute(
                "GRANT EXECUTE ON FUNCTION public.opsyn_claim_prepared_schema"
                f"(text, text) TO {connection.ops.quote_name(app_role)}"
            )


def connected_as_app_role() -> bool:
    """Return whether this process talks to the database as the app role."""
    app = settings.OPSYN_DB_APP_ROLE
    return bool(app) and connection.settings_dict.get("USER") == app


def claim_as_app_role(new_name: str, fingerprint: str) -> bool:
    """Claim a prepared schema through the owner's function; False if none."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT public.opsyn_claim_prepared_schema(%s, %s)",
            [new_name, fingerprint],
        )
        row = cursor.fetchone()
    return row is not None and row[0] is not None
