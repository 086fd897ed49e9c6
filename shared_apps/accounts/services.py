"""Changes to global accounts and the membership index."""

from __future__ import annotations

import logging

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError

from opsyn.errors import Conflict, InvalidInput

from .models import MembershipIndex, User, normalise_email

log = logging.getLogger(__name__)


def create_user(
    *,
    actor: str,
    email: str,
    password: str,
    full_name: str = "",
    is_staff: bool = False,
) -> User:
    """Create a global account after checking the address and the password."""
    email = normalise_email(email)
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(f"{email!r} is not a valid email address.") from exc
    candidate = User(email=email, full_name=full_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages)) from exc
    if User.objects.filter(email=email).exists():
        raise Conflict(f"An account for {email!r} already exists.")
    try:
        user = User.objects.create_user(
            email, password, full_name=full_name, is_staff=is_staff
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
