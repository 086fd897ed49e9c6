"""TOTP second factor: enrolment, verification, recovery codes, removal.

A code is accepted once: the newest accepted step is stored, and moving it
forward is a single conditional UPDATE, so of many concurrent requests
carrying the same code exactly one wins. Failures are throttled per device
and per account.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opsyn.errors import Conflict, InvalidInput
from shared_apps.security import throttle
from shared_apps.security.events import record

from . import crypto, totp
from .models import RecoveryCode, TOTPDevice, User

RECOVERY_CODE_COUNT = 10
WRONG_CODE = "That code is not right. Use the current code from your authenticator app."


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def start_enrolment(*, user: User) -> tuple[TOTPDevice, str]:
    """Make a new, unconfirmed device; return it and its base32 secret."""
    if has_two_factor(user):
        raise Conflict("Two-factor authentication is already set up.")
    TOTPDevice.objects.filter(user=user).delete()
    key = secrets.token_bytes(20)
    device = TOTPDevice.objects.create(user=user, encrypted_key=crypto.encrypt(key))
    return device, base32_secret(key)


def pending_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=True).first()


def device_secret(device: TOTPDevice) -> str:
    return base32_secret(crypto.decrypt(device.encrypted_key))


def base32_secret(key: bytes) -> str:
    return base64.b32encode(key).decode().rstrip("=")


def confirm_enrolment(*, user: User, code: str) -> list[str]:
    """Confirm the pending device with a valid code; return recovery codes."""
    device = pending_device(user)
    if device is None:
        raise Conflict("Start setting up two-factor authentication again.")
    if not _accept_code(user=user, device=device, code=code):
        raise InvalidInput(WRONG_CODE)
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    codes = _new_recovery_codes(user)
    record("two_factor.enrolled", user_id=user.pk)
    return codes


def verify(*, user: User, code: str) -> bool:
    """Check a second-factor code or a recovery code; each works once."""
    device = confirmed_device(user)
    if device is None:
        return False
    cleaned = code.strip().replace(" ", "")
    if len(cleaned) == totp.DIGITS and cleaned.isdigit():
        return _accept_code(user=user, device=device, code=cleaned)
    return _accept_recovery_code(user=user, device=device, code=cleaned)


def regenerate_recovery_codes(*, user: User, code: str) -> list[str]:
    """Replace every recovery code after checking a current code."""
    if not verify(user=user, code=code):
        raise InvalidInput(WRONG_CODE)
    codes = _new_recovery_codes(user)
    record("two_factor.recovery_codes_regenerated", user_id=user.pk)
    return codes


def remove_two_factor(*, user: User, password: str, code: str) -> None:
    """Remove the authenticator and recovery codes: needs password and code."""
    if not user.check_password(password):
        raise InvalidInput("Your password is not right.")
    if not verify(user=user, code=code):
        raise InvalidInput(WRONG_CODE)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
    record("two_factor.removed", user_id=user.pk)


def unused_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def _accept_code(*, user: User, device: TOTPDevice, code: str) -> bool:
    scopes = (throttle.otp_scope(user.pk), throttle.Scope("otp-device", str(device.pk)))
    try:
        throttle.check(*scopes)
    except throttle.Throttled:
        record("two_factor.throttled", user_id=user.pk)
        raise
    step = totp.matching_step(crypto.decrypt(device.encrypted_key), code)
    accepted = step is not None and bool(
        TOTPDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(
            last_used_step=step
        )
    )
    if not accepted:
        _count_failure(user, scopes)
        return False
    throttle.clear(*scopes)
    record("two_factor.verified", user_id=user.pk, method="totp")
    return True


def _accept_recovery_code(*, user: User, device: TOTPDevice, code: str) -> bool:
    scopes = (throttle.otp_scope(user.pk), throttle.Scope("otp-device", str(device.pk)))
    throttle.check(*scopes)
    used = RecoveryCode.objects.filter(
        user=user, code_hash=_hash(code), used_at__isnull=True
    ).update(used_at=timezone.now())
    if not used:
        _count_failure(user, scopes)
        return False
    throttle.clear(*scopes)
    record("two_factor.recovery_code_used", user_id=user.pk)
    return True


def _count_failure(user: User, scopes: tuple[throttle.Scope, ...]) -> None:
    for scope in scopes:
        throttle.fail(scope, delay_after=3, lock_after=settings.OPSYN_OTP_LOCK_AFTER)
    record("two_factor.failed", user_id=user.pk)


def _new_recovery_codes(user: User) -> list[str]:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = [
        "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(2))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            [RecoveryCode(user=user, code_hash=_hash(code)) for code in codes]
        )
    return codes


def _hash(code: str) -> str:
    # Codes carry 50 random bits; a fast hash is enough against a stolen
    # table, and the pepper keeps precomputation useless.
    normalised = code.strip().lower().replace(" ", "")
    if "-" not in normalised and len(normalised) == 10:
        normalised = f"{normalised[:5]}-{normalised[5:]}"
    pepper = settings.SECRET_KEY.encode()
    return hashlib.sha256(pepper + b":" + normalised.encode()).hexdigest()


def two_factor_required(
    *, user: User, tenant: object | None, membership: object
) -> bool:
    """Decide whether this person must use a second factor here.

    Operators always; on a tenant's host, its admins always and every
    member unless the organisation made it optional.
    """
    if user.email in settings.OPSYN_TWO_FACTOR_EXEMPT_EMAILS:
        return False
    if tenant is None:
        return is_operator(user)
    from tenant_apps.identity_settings.models import TwoFactorPolicy
    from tenant_apps.identity_settings.selectors import current_identity_settings
    from tenant_apps.members.models import Membership
    from tenant_apps.members.selectors import is_organisation_admin

    if isinstance(membership, Membership) and is_organisation_admin(membership):
        return True
    if membership is None:
        # Signed in here without a membership: a support operator.
        return True
    policy = current_identity_settings().two_factor_policy
    return bool(policy == TwoFactorPolicy.REQUIRED)


def is_operator(user: User) -> bool:
    """Return whether the account may sign in on the platform host.

    Operators hold a global role; staff and superusers are the bootstrap
    accounts that assign the first roles.
    """
    from shared_apps.operators.models import OperatorRole

    return bool(
        user.is_staff
        or user.is_superuser
        or OperatorRole.objects.filter(user_id=user.pk).exists()
    )
