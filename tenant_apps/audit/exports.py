"""Export the organisation's audit log as JSON Lines or CSV, streamed.

Events are read in id order in keyset-paginated chunks, so memory stays
flat however long the log is. Each record carries the hashed fields exactly
as hashed (``occurred_at`` as text, ``changes_text``) plus ``row_hash``,
``prev_hash`` and ``chain_hash``, so an unfiltered export can be verified
offline: see ``shared_apps.audit.chain.verify_lines`` and the operator
guide. A filtered export is a selection and does not form a chain; its JSON
Lines carry the ``filter`` that made them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from django.db.models import F, Func, TextField
from django.db.models.functions import Cast

from shared_apps.audit.capture import HASHED_FIELDS
from shared_apps.audit.chain import TIME_FORMAT_SQL

from .selectors import EventFilter, events_matching

CHUNK = 1000
COLUMNS = (*HASHED_FIELDS, "changes_text", "row_hash", "prev_hash", "chain_hash")
_FIELDS = (
    "id",
    "occurred_text",
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
    "changes_as_text",
    "row_hash",
    "prev_hash",
    "chain_hash",
)


def records(selected: EventFilter) -> Iterator[dict[str, Any]]:
    """Yield matching events oldest first, as export records."""
    base = events_matching(selected).annotate(
        occurred_text=Func(
            F("occurred_at"),
            template=(
                f"to_char(%(expressions)s AT TIME ZONE 'UTC', '{TIME_FORMAT_SQL}')"
            ),
            output_field=TextField(),
        ),
        changes_as_text=Cast("changes", output_field=TextField()),
    )
    after = 0
    while True:
        rows = list(
            base.filter(id__gt=after).order_by("id").values_list(*_FIELDS)[:CHUNK]
        )
        for values in rows:
            # _FIELDS and COLUMNS name the same values position by position.
            yield dict(zip(COLUMNS, values, strict=True))
        if len(rows) < CHUNK:
            return
        after = int(rows[-1][0])


def stream(selected: EventFilter, *, fmt: str) -> Iterator[str]:
    """Yield the export as text chunks in the given format."""
    if fmt == "csv":
        yield from _csv(selected)
    else:
        # A selection is marked as one, so verifying it says so instead of
        # reporting the events left out as removed.
        extra = {"filter": selected.as_query()} if selected.as_query() else {}
        for record in records(selected):
            line = {**record, **extra}
            yield json.dumps(line, separators=(",", ":"), ensure_ascii=False) + "\n"


def _csv(selected: EventFilter) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for number, record in enumerate(records(selected), start=1):
        row = dict(record)
        row["changes"] = record["changes_text"]
        writer.writerow([row[c] for c in COLUMNS])
        if number % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
