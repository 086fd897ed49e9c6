"""Verify a schema's audit hash chain, online or from an exported file.

The chain is described in ``capture.py``. Verification recomputes each
event's content hash, regroups events into the batches they were appended
in (consecutive events sharing ``prev_hash`` and ``chain_hash``), checks
that each batch's hash covers exactly its events and that each batch starts
from the previous batch's hash. The first event where any of this fails is
reported. Verification starts from the head recorded by the latest purge
receipt (or the genesis hash) and ends by comparing with the stored head.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from opsyn.errors import InvalidInput

from .capture import HASHED_FIELDS, log_tables
from .models import GENESIS, PurgeReceipt

TIME_FORMAT_SQL = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'


@dataclass
class Verdict:
    schema: str
    checked: int = 0
    head: str = GENESIS
    last_id: int = 0
    broken_at: int | None = None
    reason: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.reason

    def describe(self) -> str:
        if self.ok:
            return f"{self.schema}: ok, {self.checked} event(s), head {self.head[:16]}"
        where = f" at event {self.broken_at}" if self.broken_at is not None else ""
        return f"{self.schema}: BROKEN{where}: {self.reason}"


def row_hash(row: Mapping[str, Any]) -> str:
    """Return the content hash of an event given its hashed fields as text."""
    content = "|".join(str(row[name]) for name in HASHED_FIELDS)
    return hashlib.sha256(content.encode()).hexdigest()


def batch_hash(prev: str, row_hashes: Iterable[str]) -> str:
    return hashlib.sha256((prev + "".join(row_hashes)).encode()).hexdigest()


class ChainChecker:
    """Feed events in id order; the verdict names the first broken link.

    Memory stays constant: a batch is remembered by its first event and a
    running hash of its row hashes, however many events it has.
    """

    def __init__(self, schema: str, start: str = GENESIS) -> None:
        self.verdict = Verdict(schema=schema, head=start)
        self._expected_prev = start
        self._first: dict[str, Any] | None = None
        self._running: Any = None

    def feed(self, row: Mapping[str, Any]) -> bool:
        """Check one event; return False once the chain is broken."""
        verdict = self.verdict
        if not verdict.ok:
            return False
        if row_hash(row) != row["row_hash"]:
            return self._break(row["id"], "the event's content does not match its hash")
        first = self._first
        starts_batch = first is not None and (
            row["prev_hash"],
            row["chain_hash"],
        ) != (first["prev_hash"], first["chain_hash"])
        if starts_batch and not self._close_batch():
            return False
        if self._first is None:
            self._first = {
                "id": row["id"],
                "prev_hash": row["prev_hash"],
                "chain_hash": row["chain_hash"],
            }
            self._running = hashlib.sha256(str(row["prev_hash"]).encode())
        self._running.update(str(row["row_hash"]).encode())
        verdict.checked += 1
        verdict.last_id = int(row["id"])
        return True

    def finish(self, *, head: str | None = None, last_id: int | None = None) -> Verdict:
        verdict = self.verdict
        if verdict.ok and self._first is not None:
            self._close_batch()
        if verdict.ok and head is not None and head != self._expected_prev:
            self._break(
                None,
                f"the stored chain head (event {last_id}) is not the last event's "
                f"hash: events after {verdict.last_id} were removed or the head "
                "was changed",
            )
        verdict.head = self._expected_prev
        return verdict

    def _close_batch(self) -> bool:
        first = self._first
        assert first is not None
        if first["prev_hash"] != self._expected_prev:
            return self._break(
                first["id"],
                "the event does not link to the one before it: an earlier event "
                "was removed, reordered or changed",
            )
        if self._running.hexdigest() != first["chain_hash"]:
            return self._break(
                first["id"],
                "the batch starting here is incomplete or altered: an event of it "
                "was removed or its hash changed",
            )
        self._expected_prev = first["chain_hash"]
        self._first = None
        return True

    def _break(self, event_id: Any, reason: str) -> bool:
        self.verdict.broken_at = None if event_id is None else int(event_id)
        self.verdict.reason = reason
        return False


def starting_head(schema: str) -> str:
    """Return the head at the latest purge cut, or the genesis hash."""
    receipt = (
        PurgeReceipt.objects.filter(schema_name=schema)
        .order_by("-last_event_id")
        .first()
    )
    return receipt.head_at_cut if receipt else GENESIS


def events_as_text(schema: str, *, chunk: int = 5000) -> Iterator[dict[str, Any]]:
    """Yield a schema's events in id order, hashed fields as hashed (text)."""
    tables = log_tables(schema)
    q = connection.ops.quote_name(schema)
    columns = [
        "id",
        f"to_char(occurred_at AT TIME ZONE 'UTC', '{TIME_FORMAT_SQL}')",
        "kind",
        "tenant",
        "table_name",
        "object_id",
        "operation",
        "changes::text",
        "actor",
        "ip",
        "session_id",
        "request_id",
        "row_hash",
        "prev_hash",
        "chain_hash",
    ]
    names = [*HASHED_FIELDS, "row_hash", "prev_hash", "chain_hash"]
    sql = (
        f"SELECT {', '.join(columns)} FROM {q}.{tables.event} "  # noqa: S608
        "WHERE id > %s ORDER BY id LIMIT %s"
    )
    after = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [after, chunk])
            rows = cursor.fetchall()
        for values in rows:
            yield dict(zip(names, values, strict=True))
        if len(rows) < chunk:
            return
        after = int(rows[-1][0])


def stored_head(schema: str) -> tuple[str, int]:
    tables = log_tables(schema)
    q = connection.ops.quote_name(schema)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT head, last_event_id FROM {q}.{tables.chain} WHERE id = 1"  # noqa: S608
        )
        found = cursor.fetchone()
    return (str(found[0]), int(found[1])) if found else (GENESIS, 0)


def verify_schema(schema: str) -> Verdict:
    """Verify a schema's chain from the database."""
    checker = ChainChecker(schema, starting_head(schema))
    for row in events_as_text(schema):
        if not checker.feed(row):
            break
    head, last_id = stored_head(schema)
    return checker.finish(head=head, last_id=last_id)


def verify_lines(lines: Iterable[str], *, start: str | None = None) -> Verdict:
    """Verify an exported JSON Lines file (its events, in the file's order).

    Without ``start`` the first event's ``prev_hash`` is taken on trust:
    compare it with the purge receipt (or the genesis hash) to close the gap.
    """
    checker: ChainChecker | None = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record = _export_record(line, number)
        if checker is None:
            first = start if start is not None else str(record["prev_hash"])
            checker = ChainChecker(str(record.get("tenant", "")), first)
        if json.loads(record["changes_text"]) != record["changes"]:
            checker._break(
                record["id"], f"line {number}: changes differ from changes_text"
            )
            break
        row = {**record, "changes": record["changes_text"]}
        if not checker.feed(row):
            break
    if checker is None:
        raise InvalidInput("The file holds no events to verify.")
    return checker.finish()


# What each line of an export must carry to be checked.
EXPORT_FIELDS = (*HASHED_FIELDS, "changes_text", "row_hash", "prev_hash", "chain_hash")


def _export_record(line: str, number: int) -> dict[str, Any]:
    """Return one line of an export, or refuse a line that is not one."""
    try:
        record = json.loads(line)
        if isinstance(record, dict) and isinstance(record.get("changes_text"), str):
            json.loads(record["changes_text"])
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"line {number} is not JSON ({exc.msg}); verify takes an unfiltered "
            "JSON Lines export of the audit log."
        ) from exc
    if not isinstance(record, dict):
        raise InvalidInput(f"line {number} is not a JSON object.")
    missing = [name for name in EXPORT_FIELDS if name not in record]
    if missing:
        raise InvalidInput(
            f"line {number} lacks {', '.join(missing)}; verify takes an unfiltered "
            "JSON Lines export of the audit log."
        )
    if record.get("filter"):
        raise InvalidInput(
            f"line {number} is from an export filtered by {record['filter']}; "
            "a selection does not form a chain: verify an unfiltered export."
        )
    wrong = [
        name
        for name in EXPORT_FIELDS
        if name != "changes"
        and not isinstance(record[name], int if name == "id" else str)
    ]
    if wrong:
        raise InvalidInput(
            f"line {number} has {', '.join(wrong)} of the wrong type; it is not "
            "an OpSyn audit export line."
        )
    return record
