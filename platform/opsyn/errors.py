"""The platform's one error shape.

Services raise a ``PlatformError`` (or a subclass) with a stable code, an
HTTP status and a message a person can act on. Views, the CLI and tasks turn
it into a page, an exit status or a log line at one boundary each.
"""

from __future__ import annotations


class PlatformError(Exception):
    """A refusal the caller can understand and act on."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInput(PlatformError):
    """The request's values are not acceptable; nothing was changed."""

    code = "invalid"
    status = 400


class NotFound(PlatformError):
    """The named thing does not exist (or is not visible to the caller)."""

    code = "not_found"
    status = 404


class Conflict(PlatformError):
    """The request clashes with the current state; nothing was changed."""

    code = "conflict"
    status = 409
