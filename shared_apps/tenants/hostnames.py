"""Host names: one canonical form for routing and storage."""

from __future__ import annotations

import re
from collections.abc import Mapping

import idna

from opsyn.errors import InvalidInput

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_PORT = re.compile(r":(\d{0,5})$")


def normalise_host(raw: str) -> str:
    """Return the canonical form of a Host header or an operator's input.

    Lowercase, port and trailing dot removed, internationalised labels in
    IDNA (punycode) form. Raise ``InvalidInput`` when it is not a host name.
    """
    host = (raw or "").strip()
    if host.startswith("["):
        raise InvalidInput("IP literals cannot be tenant domains.")
    port = _PORT.search(host)
    if port:
        if not port.group(1) or int(port.group(1)) > 65535:
            raise InvalidInput(f"{raw!r} does not end in a valid port.")
        host = host[: port.start()]
    host = host[:-1] if host.endswith(".") else host
    if not host:
        raise InvalidInput("A host name is required.")
    if host.isascii() and not _has_punycode(host):
        # Plain ASCII names need only lowercasing; IDNA mapping is costly
        # enough to show in per-request routing.
        ascii_host = host.lower()
    else:
        try:
            ascii_host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as exc:
            raise InvalidInput(f"{raw!r} is not a valid host name.") from exc
        ascii_host = ascii_host.lower()
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise InvalidInput(f"{raw!r} is not a valid host name.")
    return ascii_host


def host_of_request(meta: Mapping[str, object]) -> str | None:
    """Return the canonical host a request was addressed to, or None."""
    raw = str(meta.get("HTTP_HOST") or meta.get("SERVER_NAME") or "")
    if raw in _seen:
        return _seen[raw]
    try:
        host: str | None = normalise_host(_as_sent(raw))
    except InvalidInput:
        host = None
    # A process sees a handful of Host headers; a flood of made-up ones
    # only ever empties the memo, never grows it past its bound.
    if len(_seen) >= _SEEN_LIMIT:
        _seen.clear()
    _seen[raw] = host
    return host


# Host header as sent -> canonical host (None when it is not one).
_SEEN_LIMIT = 4096
_seen: dict[str, str | None] = {}


def _as_sent(raw: str) -> str:
    """Undo WSGI's Latin-1 reading of a Host header sent as UTF-8."""
    if raw.isascii():
        return raw
    try:
        return raw.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return raw


def _has_punycode(host: str) -> bool:
    return "xn--" in host.lower()
