"""Carry the work context (actor, IP, session, request) to the triggers.

The capture trigger reads ``current_setting('opsyn.context')``. Rather than
every entry point remembering to set it, an execute wrapper on each
database connection compares the context in force with what the connection
last received and, when they differ, sends
``set_config('opsyn.context', <json>, false)`` before the query. Entering a
request, a task or a CLI command (``opsyn.context.bound``) is therefore all
it takes, and leaving it resets the connection on its next query.

A setting changed inside a transaction is undone if the transaction (or the
savepoint) rolls back, so a value sent inside one is trusted only while that
transaction, at that savepoint depth or deeper, is still open.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg.pq import TransactionStatus

from opsyn import context
from opsyn.context import WorkContext

SETTING = "opsyn.context"
_UNKNOWN = object()


@dataclass
class _Sent:
    """What one connection holds, as far as this process knows."""

    durable: object = _UNKNOWN
    pending: object = _UNKNOWN
    savepoints: tuple[str, ...] = field(default_factory=tuple)


def as_json(work: WorkContext) -> str:
    """Return the context as the JSON the triggers read."""
    return json.dumps(
        {
            "actor": work.actor,
            "ip": work.ip,
            "session": work.session,
            "request_id": work.request_id,
        },
        separators=(",", ":"),
    )


class ContextSync:
    """An execute wrapper that keeps ``opsyn.context`` in step."""

    def __init__(self, db: BaseDatabaseWrapper) -> None:
        self.db = db
        self.sent = _Sent()

    def forget(self) -> None:
        """Start over: a new server connection holds no setting."""
        self.sent = _Sent()

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        ctx: dict[str, Any],
    ) -> Any:
        self.sync()
        return execute(sql, params, many, ctx)

    def sync(self) -> None:
        work = context.current()
        raw = self.db.connection
        if raw is None:
            return
        status = raw.info.transaction_status
        sent = self.sent
        if status == TransactionStatus.IDLE and sent.pending is not _UNKNOWN:
            # The transaction that received it has ended; committed or not
            # is not known here.
            self.sent = sent = _Sent()
        in_transaction = status != TransactionStatus.IDLE
        if in_transaction and sent.pending is not _UNKNOWN:
            depth = tuple(self.db.savepoint_ids)
            still_open = depth[: len(sent.savepoints)] == sent.savepoints
            if sent.pending == work and still_open:
                return
            if not still_open:
                self.sent = sent = _Sent()
        elif sent.durable == work and sent.pending is _UNKNOWN:
            return
        with raw.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, as_json(work)])
        if in_transaction or not self.db.get_autocommit():
            sent.pending = work
            sent.savepoints = tuple(self.db.savepoint_ids)
        else:
            sent.durable = work
            sent.pending = _UNKNOWN


def attach(db: BaseDatabaseWrapper) -> None:
    """Install the wrapper on a connection (once) and forget what it held."""
    for wrapper in db.execute_wrappers:
        if isinstance(wrapper, ContextSync):
            wrapper.forget()
            return
    db.execute_wrappers.append(ContextSync(db))
