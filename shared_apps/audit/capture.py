"""Install the audit triggers of one schema: capture, chain, guard, purge.

Each schema gets its own copies of three functions, owned by the role that
runs migrations, with ``search_path`` pinned to that schema:

- ``opsyn_audit_capture()``: a statement-level trigger on every tracked
  table. It reads the transition tables, diffs ``to_jsonb(OLD)`` against
  ``to_jsonb(NEW)`` keeping only the columns that really changed, redacts
  secret columns, and appends one event per row to the schema's event table.
  It is ``SECURITY DEFINER``, so the application role needs no write
  privilege on the log at all.
- ``opsyn_audit_append(...)``: appends one non-row event (security events);
  the only way the application role adds to the log itself.
- ``opsyn_audit_guard()``: refuses UPDATE, DELETE and TRUNCATE on the log
  (a second line behind the privileges), except inside the purge function.
- ``opsyn_audit_purge(cutoff)``: the retention purge.

Chain: events are appended in batches (one per statement). Each event
stores ``row_hash`` = sha256 of its content, ``prev_hash`` = the chain head
before its batch, and ``chain_hash`` = sha256(prev_hash || the row hashes
of the batch in id order). The head lives in a one-row table that the
capture locks (``FOR UPDATE``) until commit, so concurrent writers to one
schema append in a single order; event ids are numbered from that row too
(``last_event_id``), so they are gapless and follow the chain. The price:
writes to one tenant's tracked tables serialise from their first audited
statement until commit. See ``chain.py`` for verification.

Install is idempotent and runs after every migrate (``schema_migrated``),
after provisioning renames a prepared schema, and from ``opsyn audit
install``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.apps import apps
from django.db import connection

from . import registry
from .models import GENESIS

log = logging.getLogger(__name__)

PUBLIC = "public"
TRIGGER_PREFIX = "opsyn_audit_"
# What a row's content hash covers, in this order, joined with "|". The
# export writes the same fields so a file can be verified offline.
HASHED_FIELDS = (
    "id",
    "occurred_at",
    "kind",
    "tenant",
    "table_name",
    "object_id",
    "operation",
    "changes",
    "actor",
    "ip",
    "session_id",
    "request_id",
)


@dataclass(frozen=True)
class LogTables:
    event: str
    chain: str


TENANT_LOG = LogTables(event="audit_event", chain="audit_chain")
PUBLIC_LOG = LogTables(event="platform_audit_event", chain="platform_audit_chain")


def log_tables(schema: str) -> LogTables:
    return PUBLIC_LOG if schema == PUBLIC else TENANT_LOG


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


# SQL here is assembled from quoted identifiers (schema and table names from
# the catalogue or the platform's own tables), fixed column names and the
# registry's constants; no value from a request reaches it (hence S608).


def _literal_array(values: frozenset[str]) -> str:
    inner = ",".join(f"'{value}'" for value in sorted(values))
    return f"ARRAY[{inner}]::text[]"


# The row sources for each operation: (object_id, changes) per row. Each
# row is turned into jsonb once (MATERIALIZED): referenced twice, an inline
# to_jsonb() would be computed again for every column compared.
_ROWS = {
    "INSERT": """
        WITH n AS MATERIALIZED (SELECT to_jsonb(r) AS j FROM new_rows r)
        SELECT n.j ->> pk AS object_id,
               (SELECT coalesce(jsonb_object_agg(e.key, CASE WHEN e.key = ANY(redacted)
                    THEN '{"changed": true}'::jsonb
                    ELSE jsonb_build_object('new', e.value) END), '{}'::jsonb)
                FROM jsonb_each(n.j) e) AS changes
        FROM n""",
    "DELETE": """
        WITH o AS MATERIALIZED (SELECT to_jsonb(r) AS j FROM old_rows r)
        SELECT o.j ->> pk AS object_id,
               (SELECT coalesce(jsonb_object_agg(e.key, CASE WHEN e.key = ANY(redacted)
                    THEN '{"changed": true}'::jsonb
                    ELSE jsonb_build_object('old', e.value) END), '{}'::jsonb)
                FROM jsonb_each(o.j) e) AS changes
        FROM o""",
    "UPDATE": """
        WITH n AS MATERIALIZED (SELECT to_jsonb(r) AS j FROM new_rows r),
        o AS MATERIALIZED (SELECT to_jsonb(r) AS j FROM old_rows r),
        pairs AS MATERIALIZED (
            SELECT n.j ->> pk AS k, o.j AS oj, n.j AS nj
            FROM n JOIN o ON (o.j ->> pk) = (n.j ->> pk))
        SELECT p.k AS object_id,
               (SELECT coalesce(jsonb_object_agg(e.key, CASE WHEN e.key = ANY(redacted)
                    THEN '{"changed": true}'::jsonb
                    ELSE jsonb_build_object('old', p.oj -> e.key, 'new', e.value) END),
                    '{}'::jsonb)
                FROM jsonb_each(p.nj) e
                WHERE (p.oj -> e.key) IS DISTINCT FROM e.value) AS changes
        FROM pairs p""",
}

_CONTENT = (
    "concat_ws('|', {id}, {ts}, {kind}, {tenant}, {table}, "
    "{object_id}, {op}, {changes}::text, {actor}, {ip}, {session}, {request})"
)


def _append_batch(rows_sql: str, tables: LogTables) -> str:
    """Return SQL that appends the rows of ``rows_sql`` as one chained batch."""
    content = _CONTENT.format(
        id="x.id",
        ts="ts_text",
        kind="x.kind",
        tenant="TG_TABLE_SCHEMA",
        table="TG_TABLE_NAME",
        object_id="x.object_id",
        op="TG_OP",
        changes="x.changes",
        actor="actor",
        ip="ip",
        session="session_id",
        request="request_id",
    )
    return f"""
    WITH src AS MATERIALIZED ({rows_sql}),
    numbered AS (
        SELECT base + row_number() OVER () AS id, 'row'::text AS kind,
               coalesce(s.object_id, '') AS object_id, s.changes
        FROM src s
    ),
    hashed AS (
        SELECT x.*, encode(sha256(convert_to({content}, 'UTF8')), 'hex') AS row_hash
        FROM numbered x
    ),
    batch AS MATERIALIZED (
        -- Computed once: inlined, a plan made for a one-row statement
        -- and reused for a large one would redo it for every row.
        SELECT encode(sha256(convert_to(prev || string_agg(row_hash, '' ORDER BY id),
               'UTF8')), 'hex') AS chain FROM hashed
    ),
    ins AS (
        INSERT INTO {tables.event} (id, occurred_at, kind, tenant, table_name,
            object_id, operation, changes, actor, ip, session_id, request_id,
            row_hash, prev_hash, chain_hash)
        SELECT h.id, ts, h.kind, TG_TABLE_SCHEMA, TG_TABLE_NAME, h.object_id,
               TG_OP, h.changes, actor, ip, session_id, request_id, h.row_hash,
               prev, b.chain
        FROM hashed h CROSS JOIN batch b
        RETURNING id, chain_hash
    )
    SELECT max(id), max(chain_hash) INTO last_id, new_head FROM ins;"""  # noqa: S608


_CONTEXT = """
    ctx := coalesce(nullif(current_setting('opsyn.context', true), ''),
                    '{}')::jsonb;
    actor := coalesce(nullif(ctx ->> 'actor', ''),
        'system:' || coalesce(nullif(current_setting('application_name', true), ''),
                              session_user));
    ip := coalesce(ctx ->> 'ip', '');
    session_id := coalesce(ctx ->> 'session', '');
    request_id := coalesce(ctx ->> 'request_id', '');
    ts := clock_timestamp();
    ts_text := to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');"""

_DECLARE = """
    ctx jsonb; actor text; ip text; session_id text; request_id text;
    ts timestamptz; ts_text text; prev text; new_head text; last_id bigint;
    base bigint;"""


def _capture_function(schema: str, tables: LogTables) -> str:
    branches = "\n".join(
        f"""
    {"IF" if index == 0 else "ELSIF"} TG_OP = '{op}' THEN
        IF NOT EXISTS (SELECT 1 FROM {"old_rows" if op == "DELETE" else "new_rows"})
        THEN RETURN NULL; END IF;
        SELECT head, last_event_id INTO prev, base FROM {tables.chain}
        WHERE id = 1 FOR UPDATE;
        {_append_batch(_ROWS[op], tables)}"""  # noqa: S608
        for index, op in enumerate(registry.OPERATIONS)
    )
    return f"""
CREATE OR REPLACE FUNCTION {_q(schema)}.opsyn_audit_capture() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {_q(schema)}, pg_temp
-- Transition tables have no statistics; a nested loop joining old and new
-- rows would be quadratic in the rows a statement touches. Turning it off
-- inflates the estimated cost, which would wake the JIT compiler (hundreds
-- of milliseconds per statement), so JIT is off here too.
SET enable_nestloop = off SET enable_mergejoin = off SET jit = off
SET work_mem = '32MB' AS $fn$
DECLARE
    pk text := TG_ARGV[0];
    redacted text[] := {_literal_array(registry.REDACTED_COLUMNS)};{_DECLARE}
BEGIN
    {_CONTEXT}
    {branches}
    END IF;
    UPDATE {tables.chain} SET head = new_head, last_event_id = last_id,
        updated_at = ts WHERE id = 1;
    RETURN NULL;
END
$fn$"""  # noqa: S608


def _append_function(schema: str, tables: LogTables) -> str:
    content = _CONTENT.format(
        id="last_id",
        ts="ts_text",
        kind="p_kind",
        tenant=f"'{schema}'",
        table="p_table",
        object_id="p_object_id",
        op="'EVENT'",
        changes="p_details",
        actor="actor",
        ip="ip",
        session="session_id",
        request="request_id",
    )
    return f"""
CREATE OR REPLACE FUNCTION {_q(schema)}.opsyn_audit_append(
    p_kind text, p_table text, p_object_id text, p_details jsonb)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {_q(schema)}, pg_temp AS $fn$
DECLARE
    row_hash text;{_DECLARE}
BEGIN
    {_CONTEXT}
    SELECT head, last_event_id INTO prev, base FROM {tables.chain}
    WHERE id = 1 FOR UPDATE;
    last_id := base + 1;
    row_hash := encode(sha256(convert_to({content}, 'UTF8')), 'hex');
    new_head := encode(sha256(convert_to(prev || row_hash, 'UTF8')), 'hex');
    INSERT INTO {tables.event} (id, occurred_at, kind, tenant, table_name,
        object_id, operation, changes, actor, ip, session_id, request_id,
        row_hash, prev_hash, chain_hash)
    VALUES (last_id, ts, p_kind, '{schema}', p_table, p_object_id, 'EVENT',
        p_details, actor, ip, session_id, request_id, row_hash, prev, new_head);
    UPDATE {tables.chain} SET head = new_head, last_event_id = last_id,
        updated_at = ts WHERE id = 1;
    RETURN last_id;
END
$fn$"""  # noqa: S608


def _guard_function(schema: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {_q(schema)}.opsyn_audit_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = {_q(schema)}, pg_temp AS $fn$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('opsyn.audit_purge', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$fn$"""


def _purge_function(schema: str, tables: LogTables, min_days: int) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {_q(schema)}.opsyn_audit_purge(cutoff timestamptz)
RETURNS TABLE(first_id bigint, last_id bigint, removed bigint, head text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {_q(schema)}, pg_temp AS $fn$
DECLARE
    cut bigint;
BEGIN
    IF cutoff > now() - interval '{int(min_days)} days' THEN
        RAISE EXCEPTION 'audit events younger than {int(min_days)} days are kept'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM 1 FROM {tables.chain} WHERE id = 1 FOR UPDATE;
    SELECT max(e.id) INTO cut FROM {tables.event} e WHERE e.occurred_at < cutoff;
    IF cut IS NULL THEN
        RETURN QUERY SELECT 0::bigint, 0::bigint, 0::bigint, ''::text;
        RETURN;
    END IF;
    -- Cut only between batches, so what remains starts a batch and its
    -- prev_hash is exactly the head recorded in the receipt.
    SELECT coalesce(max(e.id), 0) INTO cut FROM {tables.event} e
    WHERE e.id <= cut AND e.chain_hash IS DISTINCT FROM (
        SELECT n.prev_hash FROM {tables.event} n WHERE n.id > e.id
        ORDER BY n.id LIMIT 1)
      OR (e.id = cut AND NOT EXISTS (SELECT 1 FROM {tables.event} n
                                      WHERE n.id > e.id));
    IF cut = 0 THEN
        RETURN QUERY SELECT 0::bigint, 0::bigint, 0::bigint, ''::text;
        RETURN;
    END IF;
    PERFORM set_config('opsyn.audit_purge', 'on', true);
    RETURN QUERY
    WITH gone AS (DELETE FROM {tables.event} e WHERE e.id <= cut
                  RETURNING e.id, e.chain_hash)
    SELECT min(g.id), max(g.id), count(*),
           (SELECT g2.chain_hash::text FROM gone g2 ORDER BY g2.id DESC LIMIT 1)
    FROM gone g;
    PERFORM set_config('opsyn.audit_purge', 'off', true);
END
$fn$"""  # noqa: S608


def table_primary_keys(schema: str) -> dict[str, str]:
    """Return the ordinary tables of a schema with a one-column primary key."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, min(a.attname)
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
            WHERE n.nspname = %s AND c.relkind IN ('r', 'p')
            GROUP BY c.relname HAVING count(*) = 1
            """,
            [schema],
        )
        return {table: pk for table, pk in cursor.fetchall()}


def tracked_tables(schema: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Return table -> (primary key, operations) for what a schema audits."""
    keys = table_primary_keys(schema)
    if schema == PUBLIC:
        wanted: dict[str, tuple[str, ...]] = {}
        for label, operations in registry.PUBLIC_TRACKED.items():
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            wanted[model._meta.db_table] = operations
        return {t: (keys[t], ops) for t, ops in wanted.items() if t in keys}
    return {
        table: (pk, registry.OPERATIONS)
        for table, pk in keys.items()
        if table not in registry.TENANT_OPT_OUTS
    }


def untrackable_tables(schema: str) -> list[str]:
    """Return tenant tables that cannot be tracked (no one-column key)."""
    if schema == PUBLIC:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema]
        )
        every = {row[0] for row in cursor.fetchall()}
    keyed = set(table_primary_keys(schema))
    return sorted(every - keyed - set(registry.TENANT_OPT_OUTS))


def install(schema: str, *, min_retention_days: int) -> int:
    """Install or refresh the audit functions and triggers of a schema.

    Returns the number of tracked tables. Must run as the owner role.
    """
    tables = log_tables(schema)
    if not _has_table(schema, tables.event):
        return 0
    q = _q(schema)
    statements = [
        f"INSERT INTO {q}.{tables.chain} (id, head, last_event_id) "  # noqa: S608
        f"VALUES (1, '{GENESIS}', 0) ON CONFLICT (id) DO NOTHING",
        _capture_function(schema, tables),
        _append_function(schema, tables),
        _guard_function(schema),
        _purge_function(schema, tables, min_retention_days),
        f"CREATE OR REPLACE TRIGGER opsyn_audit_guard BEFORE UPDATE OR DELETE "
        f"ON {q}.{tables.event} FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {q}.opsyn_audit_guard()",
        f"CREATE OR REPLACE TRIGGER opsyn_audit_guard_truncate BEFORE TRUNCATE "
        f"ON {q}.{tables.event} FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {q}.opsyn_audit_guard()",
    ]
    tracked = tracked_tables(schema)
    for table, (pk, operations) in sorted(tracked.items()):
        for op in registry.OPERATIONS:
            name = f"{TRIGGER_PREFIX}{op.lower()}"
            if op not in operations:
                statements.append(f"DROP TRIGGER IF EXISTS {name} ON {q}.{_q(table)}")
                continue
            referencing = {
                "INSERT": "NEW TABLE AS new_rows",
                "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                "DELETE": "OLD TABLE AS old_rows",
            }[op]
            statements.append(
                f"CREATE OR REPLACE TRIGGER {name} AFTER {op} ON {q}.{_q(table)} "
                f"REFERENCING {referencing} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {q}.opsyn_audit_capture('{pk}')"
            )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    log.info("audit.installed", extra={"schema": schema, "tables": len(tracked)})
    return len(tracked)


def _has_table(schema: str, table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = %s",
            [schema, table],
        )
        return cursor.fetchone() is not None
