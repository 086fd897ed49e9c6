"""Failure counters and temporary locks in Redis, shared by every process.

Counters are keyed by a hash of the normalised account name (whether or
not such an account exists, so a lock reveals nothing) and by client IP.
Nothing here locks anyone out for good: every lock expires, a verified
password reset or an admin lifts an account's, and the counters forget
after a quiet hour. If Redis cannot be reached, callers get
``ThrottleUnavailable`` and must refuse the attempt: losing the limit
would let a guesser run free.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

import redis
from django.conf import settings

from opsyn.errors import PlatformError

PREFIX = "opsyn-security"


class Throttled(PlatformError):
    """Too many attempts; try again after ``retry_after`` seconds."""

    code = "throttled"
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class ThrottleUnavailable(PlatformError):
    """The limit store is unreachable, so attempts are refused."""

    code = "throttle_unavailable"
    status = 503


@dataclass(frozen=True)
class Scope:
    """What is being counted: sign-in per account, per IP, codes per user."""

    name: str
    key: str

    @property
    def failures(self) -> str:
        return f"{PREFIX}:{self.name}:failures:{self.key}"

    @property
    def lock(self) -> str:
        return f"{PREFIX}:{self.name}:lock:{self.key}"


def account_scope(email: str) -> Scope:
    from shared_apps.accounts.models import normalise_email

    digest = hashlib.sha256(normalise_email(email).encode()).hexdigest()
    return Scope("account", digest)


def ip_scope(ip: str | None) -> Scope:
    return Scope("ip", ip or "unknown")


def otp_scope(user_id: int) -> Scope:
    return Scope("otp", str(user_id))


def resend_scope(email: str) -> Scope:
    return Scope("resend", account_scope(email).key)


def check(*scopes: Scope) -> None:
    """Raise ``Throttled`` if any scope is locked now."""
    client = _client()
    try:
        pipe = client.pipeline()
        for scope in scopes:
            pipe.ttl(scope.lock)
        ttls = pipe.execute()
    except redis.RedisError as exc:
        raise _unavailable() from exc
    waits = [int(ttl) for ttl in ttls if int(ttl) > 0]
    if waits:
        raise Throttled(_wait_message(max(waits)), retry_after=max(waits))


def fail(scope: Scope, *, delay_after: int, lock_after: int) -> int:
    """Count a failure and lock the scope if it has failed too often.

    From ``delay_after`` failures each one locks for a doubling delay (1 s,
    2 s, 4 s, ... up to a minute); at ``lock_after`` the lock lasts
    OPSYN_SIGNIN_LOCK_SECONDS. Return the lock's length (0: none).
    """
    client = _client()
    window = settings.OPSYN_SIGNIN_WINDOW_SECONDS
    try:
        pipe = client.pipeline()
        pipe.incr(scope.failures)
        pipe.expire(scope.failures, window)
        count = int(pipe.execute()[0])
        seconds = 0
        if count >= lock_after:
            seconds = int(settings.OPSYN_SIGNIN_LOCK_SECONDS)
        elif count >= delay_after:
            seconds = min(2 ** (count - delay_after), 60)
        if seconds:
            client.set(scope.lock, "1", ex=seconds)
    except redis.RedisError as exc:
        raise _unavailable() from exc
    return seconds


def hit(scope: Scope, *, limit: int, window: int) -> None:
    """Count one use of a rate-limited action; raise once past ``limit``."""
    client = _client()
    try:
        pipe = client.pipeline()
        pipe.incr(scope.failures)
        pipe.expire(scope.failures, window, nx=True)
        pipe.ttl(scope.failures)
        count, _, ttl = pipe.execute()
    except redis.RedisError as exc:
        raise _unavailable() from exc
    if int(count) > limit:
        wait = max(int(ttl), 1)
        raise Throttled(_wait_message(wait), retry_after=wait)


def failures(scope: Scope) -> int:
    """Return the scope's current failure count."""
    try:
        value = _client().get(scope.failures)
    except redis.RedisError as exc:
        raise _unavailable() from exc
    return int(value or 0)


def clear(*scopes: Scope) -> None:
    """Forget a scope's failures and lift its lock."""
    client = _client()
    try:
        client.delete(*[key for s in scopes for key in (s.failures, s.lock)])
    except redis.RedisError as exc:
        raise _unavailable() from exc


def is_locked(scope: Scope) -> bool:
    try:
        return int(_client().ttl(scope.lock)) > 0
    except redis.RedisError as exc:
        raise _unavailable() from exc


def _wait_message(seconds: int) -> str:
    if seconds < 90:
        when = f"{seconds} second{'s' if seconds != 1 else ''}"
    else:
        when = f"{(seconds + 59) // 60} minutes"
    return (
        f"Too many attempts. Try again in {when}. If you have forgotten your "
        "password, resetting it lifts the wait."
    )


def _unavailable() -> ThrottleUnavailable:
    return ThrottleUnavailable(
        "Signing in is briefly unavailable while a safety check cannot run. "
        "Please try again in a minute."
    )


def _client() -> redis.Redis:
    return _connect(str(settings.CACHES["platform"]["LOCATION"]))


@cache
def _connect(url: str) -> redis.Redis:
    # Short timeouts: a hung Redis must fail the sign-in quickly, not hang it.
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
