"""Check a password sign-in under the throttle, without revealing accounts.

"No such account", "wrong password" and "not allowed on this host" give
the same refusal after the same work (one Argon2 verification). A locked
address is refused before any work, with the same 429 whether or not an
account exists for it, because counters are kept per address typed, not
per account found.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password

from opsyn.errors import PlatformError
from shared_apps.security import throttle
from shared_apps.security.events import record

from .models import User, normalise_email

REFUSAL = (
    "Please enter a correct email and password for an account here. Note "
    "that the password is case-sensitive."
)


class InvalidCredentials(PlatformError):
    code = "invalid_credentials"
    status = 200  # The sign-in form is shown again, with the message.

    def __init__(self) -> None:
        super().__init__(REFUSAL)


class EmailNotVerified(PlatformError):
    code = "email_not_verified"
    status = 200

    def __init__(self, user: User) -> None:
        super().__init__(
            "Confirm your email address first: open the link we sent to "
            f"{user.email}. You can have a new link sent below."
        )
        self.user = user


def check_password_sign_in(
    *,
    email: str,
    password: str,
    ip: str | None,
    allowed: Callable[[User], bool],
) -> User:
    """Return the account if the password is right and it may sign in here.

    Raises ``Throttled`` (429) while the address or IP is locked,
    ``ThrottleUnavailable`` (503) if the counters cannot be reached,
    ``InvalidCredentials`` otherwise on failure, and ``EmailNotVerified``
    only to someone who knows the password.
    """
    account = throttle.account_scope(email)
    address = throttle.ip_scope(ip)
    throttle.check(account, address)

    user = User.objects.filter(email=normalise_email(email)).first()
    if user is None:
        # The same hash work as a real check, so absence is not timed.
        check_password(password, _dummy_hash())
        matched = False
    else:
        matched = user.check_password(password)
    if user is None or not matched or not user.is_active or not allowed(user):
        _count_failure(email=email, ip=ip, user=user, account=account, address=address)
        raise InvalidCredentials()

    if not user.is_email_verified:
        raise EmailNotVerified(user)
    throttle.clear(account)
    return user


def _count_failure(
    *,
    email: str,
    ip: str | None,
    user: User | None,
    account: throttle.Scope,
    address: throttle.Scope,
) -> None:
    locked_for = throttle.fail(
        account,
        delay_after=settings.OPSYN_SIGNIN_DELAY_AFTER,
        lock_after=settings.OPSYN_SIGNIN_LOCK_AFTER,
    )
    ip_limit = settings.OPSYN_SIGNIN_IP_LIMIT
    throttle.fail(address, delay_after=ip_limit, lock_after=ip_limit)
    user_id = user.pk if user is not None else None
    record("signin.failed", user_id=user_id, ip=ip, account=account.key[:12])
    if locked_for >= settings.OPSYN_SIGNIN_LOCK_SECONDS:
        record("signin.locked", user_id=user_id, ip=ip, seconds=locked_for)


def lift_lock(*, actor_id: int | None, email: str) -> None:
    """Lift the lock on an address and forget its failures (admins)."""
    throttle.clear(throttle.account_scope(email))
    record("signin.unlocked", actor_id=actor_id, account=normalise_email(email))


def is_locked(email: str) -> bool:
    return throttle.is_locked(throttle.account_scope(email))


@cache
def _dummy_hash() -> str:
    return make_password("not a real password, only for equal timing")
