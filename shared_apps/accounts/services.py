"""Changes to global accounts and the membership index."""

from __future__ import annotations

import logging

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError
from django.utils import timezone

from opsyn.errors import Conflict, InvalidInput

from . import passwords
from .models import MembershipIndex, User, normalise_email

log = logging.getLogger(__name__)


def create_user(
    *,
    actor: str,
    email: str,
    password: str,
    full_name: str = "",
    is_staff: bool = False,
    email_verified: bool = False,
) -> User:
    """Create a global account after checking the address and the password.

    The account cannot sign in until its address is verified, unless the
    caller vouches for it (``email_verified``: fixtures, the demo).
    """
    email = normalise_email(email)
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(f"{email!r} is not a valid email address.") from exc
    candidate = User(email=email, full_name=full_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise InvalidInput(passwords.explain(exc.messages)) from exc
    if User.objects.filter(email=email).exists():
        raise Conflict(f"An account for {email!r} already exists.")
    try:
        user = User.objects.create_user(
            email,
            password,
            full_name=full_name,
            is_staff=is_staff,
            email_verified_at=timezone.now() if email_verified else None,
        )
    except IntegrityError as exc:
        raise Conflict(f"An account for {email!r} already exists.") from exc
    log.info("user.created", extra={"actor": actor, "user_id": user.pk})
    return user


def index_membership(*, user_id: int, tenant_id: int, member: bool) -> None:
    """Record in the public index whether a user belongs to a tenant."""
    if member:
        MembershipIndex.objects.get_or_create(user_id=user_id, tenant_id=tenant_id)
    else:
        MembershipIndex.objects.filter(user_id=user_id, tenant_id=tenant_id).delete()


def rebuild_membership_index(*, tenant_id: int, user_ids: list[int]) -> int:
    """Replace a tenant's index rows with the given members; return the count."""
    MembershipIndex.objects.filter(tenant_id=tenant_id).exclude(
        user_id__in=user_ids
    ).delete()
    existing = set(
        MembershipIndex.objects.filter(tenant_id=tenant_id).values_list(
            "user_id", flat=True
        )
    )
    MembershipIndex.objects.bulk_create(
        [
            MembershipIndex(user_id=user_id, tenant_id=tenant_id)
            for user_id in user_ids
            if user_id not in existing
        ]
    )
    return len(user_ids)


def verify_email(*, token: str) -> User:
    """Mark the address of a verification link's account as verified."""
    from shared_apps.security.events import record

    from . import tokens

    user = tokens.read(token, tokens.VERIFY)
    if user is None:
        raise InvalidInput(
            "This verification link has expired or has already been used. "
            "Sign in to have a new one sent."
        )
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    record("email.verified", user_id=user.pk)
    return user


def resend_verification(*, email: str, base_url: str) -> None:
    """Send a new verification link, a few times an hour at most.

    Says nothing about whether the account exists: the limit applies to
    any address asked for.
    """
    from django.conf import settings

    from shared_apps.security import throttle
    from shared_apps.security.events import record

    from .emails import send_verification

    throttle.hit(
        throttle.resend_scope(email),
        limit=settings.OPSYN_VERIFICATION_RESENDS_PER_HOUR,
        window=60 * 60,
    )
    user = User.objects.filter(
        email=normalise_email(email), is_active=True, email_verified_at=None
    ).first()
    if user is not None:
        send_verification(user=user, base_url=base_url)
        record("email.verification_sent", user_id=user.pk)


def set_password(
    *, user: User, password: str, keep_session_key: str | None, reason: str
) -> None:
    """Check and store a new password; end every other session of the user."""
    from django.contrib.auth.password_validation import validate_password

    from shared_apps.security import throttle
    from shared_apps.sessions.services import end_other_sessions

    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise InvalidInput(passwords.explain(exc.messages)) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    end_other_sessions(
        actor_id=user.pk, user_id=user.pk, keep_key=keep_session_key, reason=reason
    )
    # Whoever proves control of the account also lifts any lock on it.
    throttle.clear(throttle.account_scope(user.email))
