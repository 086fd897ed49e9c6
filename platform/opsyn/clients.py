"""Who is on the other end of a request."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """Return the client's IP address.

    ``X-Forwarded-For`` is believed only as far as the configured number of
    trusted proxies in front of the application: each appends the address
    it received from, so the client is that many entries from the end.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = settings.OPSYN_TRUSTED_PROXIES
    if trusted:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= trusted:
            remote = forwarded[-trusted]
    try:
        return str(ipaddress.ip_address(remote)) if remote else None
    except ValueError:
        return None
