"""Export one tenant schema as a consistent snapshot, and load it back.

The exporter reads only the tenant's own schema: it lists the schema's
objects from the catalog by namespace and copies each table with ``COPY``,
all inside one REPEATABLE READ, READ ONLY transaction on a connection of
its own, so every table is read at the same moment while the tenant keeps
working. Its cost grows with the tenant, not with the number of schemas in
the database (``pg_dump --schema`` reads the whole catalog; see
``scripts/bench/backup.py``).

What is exported: tables (columns, types including extension types,
defaults, identity), sequences and their values, constraints, indexes,
functions, triggers and views of the schema, plus every table's rows.
Not exported (documented limitation): types, domains and materialized
views defined inside the tenant schema, row-level security policies,
grants and comments.

Rows are copied in primary-key order (or whole-row text order without a
key) with fixed output settings, so copying the same data twice gives the
same bytes: the SHA-256 of those bytes (``content_sha256``) is what a
restore is verified against.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.db import connections
from psycopg import sql

# Fixed so that text output does not depend on the server's or the
# session's defaults (time zone above all).
_OUTPUT_SETTINGS = (
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'postgres'",
    "SET LOCAL extra_float_digits = 3",
    "SET LOCAL bytea_output = 'hex'",
)


@dataclass
class Table:
    name: str
    columns: list[str]
    order_by: list[str]
    estimated_rows: int = 0


@dataclass
class Definition:
    """The statements that rebuild a schema, in the order they run."""

    before_data: list[str] = field(default_factory=list)
    after_data: list[str] = field(default_factory=list)
    sequences: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "before_data": self.before_data,
            "after_data": self.after_data,
            "sequences": self.sequences,
        }


@contextmanager
def own_connection() -> Iterator[psycopg.Connection[Any]]:
    """Open a connection of its own, outside Django's per-thread one."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    raw: psycopg.Connection[Any] = wrapper.connection
    try:
        yield raw
    finally:
        wrapper.close()


@contextmanager
def snapshot(raw: psycopg.Connection[Any], schema: str) -> Iterator[None]:
    """Work in one REPEATABLE READ, READ ONLY transaction inside ``schema``."""
    raw.autocommit = False
    raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    raw.read_only = True
    try:
        with raw.transaction():
            raw.execute(
                sql.SQL("SET LOCAL search_path = {}").format(sql.Identifier(schema))
            )
            for statement in _OUTPUT_SETTINGS:
                raw.execute(statement)
            yield
    finally:
        raw.read_only = False
        raw.isolation_level = None


def schema_oid(raw: psycopg.Connection[Any], schema: str) -> int | None:
    row = raw.execute(
        "SELECT oid FROM pg_namespace WHERE nspname = %s", [schema]
    ).fetchone()
    return int(row[0]) if row else None


@dataclass
class Relations:
    """The schema's tables, sequences and views, found in one catalog scan.

    ``pg_class`` has no index on the namespace alone, so finding a schema's
    relations reads the whole catalog; doing it once per backup keeps that
    the only part whose cost grows with the number of schemas. Everything
    else is looked up by these oids, through the catalogs' indexes.
    """

    tables: list[tuple[int, str, float]]
    sequences: list[int]
    views: list[tuple[int, str]]


def relations(raw: psycopg.Connection[Any], namespace: int) -> Relations:
    found = Relations([], [], [])
    for oid, name, kind, estimate, partition in raw.execute(
        "SELECT oid, relname, relkind, reltuples, relispartition FROM pg_class "
        "WHERE relnamespace = %s AND relkind IN ('r', 'p', 'S', 'v') "
        "ORDER BY relname",
        [namespace],
    ).fetchall():
        if kind in ("r", "p") and not partition:
            found.tables.append((int(oid), str(name), float(estimate)))
        elif kind == "S":
            found.sequences.append(int(oid))
        elif kind == "v":
            found.views.append((int(oid), str(name)))
    return found


def list_tables(raw: psycopg.Connection[Any], rels: Relations) -> list[Table]:
    tables = []
    for oid, name, estimate in rels.tables:
        columns = [
            r[0]
            for r in raw.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s AND attnum > 0"
                " AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
                [oid],
            ).fetchall()
        ]
        key = [
            r[0]
            for r in raw.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON "
                "a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = %s AND i.indisprimary "
                "ORDER BY array_position(i.indkey::int2[], a.attnum)",
                [oid],
            ).fetchall()
        ]
        tables.append(Table(name, columns, key, max(0, int(estimate))))
    return tables


def describe_schema(
    raw: psycopg.Connection[Any], schema: str, namespace: int, rels: Relations
) -> Definition:
    """Return the DDL that rebuilds the schema's objects (unqualified names)."""
    definition = Definition()
    owned_by: list[str] = []

    for name, type_name, start, inc, low, high, cycle in raw.execute(
        "SELECT c.relname, format_type(s.seqtypid, NULL), s.seqstart, "
        "s.seqincrement, s.seqmin, s.seqmax, s.seqcycle FROM pg_sequence s "
        "JOIN pg_class c ON c.oid = s.seqrelid WHERE s.seqrelid = ANY(%s) AND "
        "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = "
        "'pg_class'::regclass AND d.objid = s.seqrelid AND d.objsubid = 0 AND "
        "d.deptype = 'i') ORDER BY c.relname",
        [rels.sequences],
    ).fetchall():
        definition.before_data.append(
            f"CREATE SEQUENCE {_ident(name)} AS {type_name} INCREMENT {inc} "
            f"MINVALUE {low} MAXVALUE {high} START {start}"
            f"{' CYCLE' if cycle else ''}"
        )
        state = raw.execute(
            sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(name))
        ).fetchone()
        assert state is not None
        definition.sequences.append(
            {"sequence": name, "value": state[0], "is_called": bool(state[1])}
        )
    for seq, table, column in raw.execute(
        "SELECT s.relname, t.relname, a.attname FROM pg_depend d "
        "JOIN pg_class s ON s.oid = d.objid "
        "JOIN pg_class t ON t.oid = d.refobjid "
        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
        "WHERE d.classid = 'pg_class'::regclass AND d.objid = ANY(%s) AND "
        "d.objsubid = 0 AND d.refclassid = 'pg_class'::regclass AND "
        "d.deptype = 'a'",
        [rels.sequences],
    ).fetchall():
        owned_by.append(
            f"ALTER SEQUENCE {_ident(seq)} OWNED BY {_ident(table)}.{_ident(column)}"
        )

    tables = [(oid, name) for oid, name, _ in rels.tables]
    constraints: list[str] = []
    foreign_keys: list[str] = []
    indexes: list[str] = []
    triggers: list[str] = []
    for oid, table in tables:
        definition.before_data.append(_create_table(raw, oid, table))
        for (attname,) in raw.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s AND "
            "attidentity <> '' ORDER BY attnum",
            [oid],
        ).fetchall():
            value = raw.execute(
                "SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, %s))",
                [_ident(table), attname],
            ).fetchone()
            definition.sequences.append(
                {
                    "table": table,
                    "column": attname,
                    "value": value[0] if value else None,
                }
            )
        for name, kind, body in raw.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s ORDER BY contype, conname",
            [oid],
        ).fetchall():
            statement = (
                f"ALTER TABLE {_ident(table)} ADD CONSTRAINT {_ident(name)} {body}"
            )
            (foreign_keys if kind == "f" else constraints).append(statement)
        for (body,) in raw.execute(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE "
            "i.indrelid = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid) "
            "ORDER BY i.indexrelid",
            [oid],
        ).fetchall():
            indexes.append(_unqualify_on(body, schema))
        for (body,) in raw.execute(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s "
            "AND NOT tgisinternal ORDER BY tgname",
            [oid],
        ).fetchall():
            triggers.append(_unqualify_on(body, schema))

    qualified = re.compile(
        rf"^(CREATE OR REPLACE (?:FUNCTION|PROCEDURE) ){re.escape(_ident(schema))}\."
    )
    functions = [
        qualified.sub(
            r"\1",
            body,
            count=1,
        )
        for (body,) in raw.execute(
            "SELECT pg_get_functiondef(oid) FROM pg_proc WHERE pronamespace = %s "
            "AND prokind IN ('f', 'p') ORDER BY proname, oid",
            [namespace],
        ).fetchall()
    ]
    views = []
    for oid, name in rels.views:
        found = raw.execute("SELECT pg_get_viewdef(%s)", [oid]).fetchone()
        assert found is not None
        views.append(f"CREATE VIEW {_ident(name)} AS {found[0]}")
    definition.after_data = [
        *owned_by,
        *constraints,
        *indexes,
        *foreign_keys,
        *functions,
        *triggers,
        *views,
    ]
    return definition


def _create_table(raw: psycopg.Connection[Any], oid: int, table: str) -> str:
    columns = []
    for (
        name,
        type_name,
        not_null,
        identity,
        generated,
        default,
        collation,
    ) in raw.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,"
        " a.attidentity, a.attgenerated, pg_get_expr(d.adbin, d.adrelid),"
        " CASE WHEN a.attcollation <> t.typcollation THEN (SELECT "
        " quote_ident(n.nspname) || '.' || quote_ident(co.collname) FROM "
        " pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace "
        " WHERE co.oid = a.attcollation) END "
        "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum",
        [oid],
    ).fetchall():
        parts = [_ident(name), type_name]
        if collation:
            parts.append(f"COLLATE {collation}")
        if identity:
            always = "ALWAYS" if identity == "a" else "BY DEFAULT"
            parts.append(f"GENERATED {always} AS IDENTITY")
        elif generated:
            parts.append(f"GENERATED ALWAYS AS ({default}) STORED")
        elif default is not None:
            parts.append(f"DEFAULT {default}")
        if not_null:
            parts.append("NOT NULL")
        columns.append(" ".join(parts))
    return f"CREATE TABLE {_ident(table)} ({', '.join(columns)})"


def _unqualify_on(body: str, schema: str) -> str:
    return body.replace(f" ON {_ident(schema)}.", " ON ", 1)


def _ident(name: str) -> str:
    if re.fullmatch(r"[a-z_][a-z0-9_$]*", name):
        return name
    return '"' + name.replace('"', '""') + '"'


def copy_out(
    raw: psycopg.Connection[Any], table: Table, sink: Callable[[bytes], None]
) -> tuple[int, str]:
    """Stream a table's rows (canonical order) into ``sink``.

    Return the row count and the SHA-256 of the bytes.
    """
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in table.columns)
    order: sql.Composable
    if table.order_by:
        order = sql.SQL(", ").join(sql.Identifier(c) for c in table.order_by)
    else:
        order = sql.SQL("r::text")
    query = sql.SQL("COPY (SELECT {} FROM {} AS r ORDER BY {}) TO STDOUT").format(
        columns, sql.Identifier(table.name), order
    )
    digest = hashlib.sha256()
    rows = 0
    with raw.cursor() as cursor, cursor.copy(query) as copy:
        for chunk in copy:
            data = bytes(chunk)
            digest.update(data)
            # Text COPY escapes newlines inside values, so each one ends a row.
            rows += data.count(b"\n")
            sink(data)
    return rows, digest.hexdigest()


def copy_in(
    raw: psycopg.Connection[Any],
    table: str,
    columns: list[str],
    chunks: Iterator[bytes],
) -> None:
    """Load rows written by ``copy_out`` into a table."""
    query = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table),
        sql.SQL(", ").join(sql.Identifier(c) for c in columns),
    )
    with raw.cursor() as cursor, cursor.copy(query) as copy:
        for chunk in chunks:
            copy.write(chunk)


def rebuild(
    raw: psycopg.Connection[Any],
    *,
    schema: str,
    definition: dict[str, Any],
    load: Callable[[], None],
) -> None:
    """Create ``schema`` and its objects, loading rows in between.

    Runs as one transaction: a failure leaves no schema behind.
    """
    raw.autocommit = False
    with raw.transaction():
        raw.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        raw.execute(
            sql.SQL("SET LOCAL search_path = {}").format(sql.Identifier(schema))
        )
        for statement in _OUTPUT_SETTINGS:
            raw.execute(statement)
        for statement in definition["before_data"]:
            raw.execute(statement)
        load()
        for statement in definition["after_data"]:
            raw.execute(statement)
        for entry in definition["sequences"]:
            if entry.get("value") is None:
                continue
            if "sequence" in entry:
                raw.execute(
                    "SELECT setval(%s::regclass, %s, %s)",
                    [_ident(entry["sequence"]), entry["value"], entry["is_called"]],
                )
            else:
                raw.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s, true)",
                    [_ident(entry["table"]), entry["column"], entry["value"]],
                )
