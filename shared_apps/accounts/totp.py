"""Time-based one-time passwords (RFC 6238) on django-otp's HOTP.

Codes are six digits over 30-second steps from the Unix epoch with
HMAC-SHA1, which is what authenticator apps expect from an otpauth URI
that names no algorithm.
"""

from __future__ import annotations

import time
from urllib.parse import quote, urlencode

from django_otp.oath import hotp as _hotp  # type: ignore[import-untyped]

STEP_SECONDS = 30
DIGITS = 6
# One step either side of now, for clocks that drift (RFC 6238, 5.2).
DRIFT_STEPS = 1
ISSUER = "OpSyn"


def step_at(timestamp: float | None = None) -> int:
    """Return the 30-second step a moment falls in."""
    moment = time.time() if timestamp is None else timestamp
    return int(moment // STEP_SECONDS)


def code_for(key: bytes, step: int, digits: int = DIGITS) -> str:
    """Return the code for one step, zero-padded."""
    return f"{int(_hotp(key, step, digits=digits)):0{digits}d}"


def matching_step(key: bytes, code: str, timestamp: float | None = None) -> int | None:
    """Return the step within the drift window whose code this is, if any."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = step_at(timestamp)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if _equal(code_for(key, step), code):
            return step
    return None


def provisioning_uri(key_base32: str, email: str) -> str:
    """Return the otpauth:// URI an authenticator app scans."""
    label = quote(f"{ISSUER}:{email}", safe="@:")
    query = urlencode(
        {
            "secret": key_base32,
            "issuer": ISSUER,
            "digits": DIGITS,
            "period": STEP_SECONDS,
        }
    )
    return f"otpauth://totp/{label}?{query}"


def _equal(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())
