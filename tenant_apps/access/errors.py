"""Refusals of the access app, in the platform's one error shape."""

from __future__ import annotations

from opsyn.errors import PlatformError


class NotAllowed(PlatformError):
    """The actor's role does not allow this change; nothing was changed."""

    code = "forbidden"
    status = 403
