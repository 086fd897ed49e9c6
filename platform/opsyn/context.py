"""The context of the current unit of work: request id, client IP, actor.

Set by the request middleware, the CLI and Celery tasks; read by logging
and, through ``shared_apps.audit.dbcontext``, by the audit triggers: each
database connection is brought up to date before its next query.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple


class WorkContext(NamedTuple):
    request_id: str = ""
    actor: str = ""
    ip: str = ""
    # The session's public id, never its key: the key is a credential.
    session: str = ""


_EMPTY = WorkContext()
# The default is immutable (a tuple), so sharing it is safe. A named tuple
# rather than a frozen dataclass: every request binds one, and a tuple's
# ``_replace`` costs a fraction of ``dataclasses.replace``.
_current: contextvars.ContextVar[WorkContext] = contextvars.ContextVar(
    "opsyn_work_context",
    default=_EMPTY,
)


def current() -> WorkContext:
    """Return the context of the work in progress."""
    return _current.get()


def new_request_id() -> str:
    """Return a fresh, opaque request id."""
    return os.urandom(16).hex()


Token = contextvars.Token[WorkContext]


def bind(**values: str) -> Token:
    """Bind context values until ``unbind`` is given the returned token.

    ``bound`` is the usual way; the request router pairs these two itself
    because a generator-based context manager costs microseconds a request.
    """
    return _current.set(_current.get()._replace(**values))


def unbind(token: Token) -> None:
    """Restore the context that was current before ``bind``."""
    _current.reset(token)


@contextmanager
def bound(**values: str) -> Iterator[WorkContext]:
    """Bind context values for the duration of a block."""
    token = bind(**values)
    try:
        yield _current.get()
    finally:
        unbind(token)


def update(**values: str) -> WorkContext:
    """Change context values until the enclosing ``bound`` block ends.

    For middleware that learns the actor half-way through a request: the
    values must outlive its own call (responses are saved after it returns)
    and the outer ``bound`` of the request restores what was there before.
    """
    _current.set(_current.get()._replace(**values))
    return _current.get()
