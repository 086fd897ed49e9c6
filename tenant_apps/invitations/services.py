"""Inviting people into this organisation, and their accepting.

The link's token is random and only its hash is stored. Sending again
makes a new token (the old link stops working) and a new 7-day expiry.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from opsyn.errors import Conflict, InvalidInput, NotFound
from shared_apps.accounts.emails import send_invitation
from shared_apps.accounts.models import User, normalise_email
from shared_apps.security.events import record
from shared_apps.tenants.activation import current_tenant
from shared_apps.tenants.selectors import hosts_of
from tenant_apps.members.models import Membership, Role
from tenant_apps.members.services import add_member, check_role

from .models import Invitation
from .selectors import hash_token, pending_invitations

LIFETIME = timedelta(days=7)


def invite_member(*, actor: User, email: str, role: str) -> Invitation:
    """Invite an address to join as ``role``, and email the link."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    email = normalise_email(email)
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(f"{email!r} is not a valid email address.") from exc
    check_role(role)
    existing = User.objects.filter(email=email).first()
    if existing and Membership.objects.filter(user_id=existing.pk).exists():
        raise Conflict(f"{email} is already a member.")
    if pending_invitations().filter(email=email).exists():
        raise Conflict(
            f"{email} already has an open invitation; send it again instead."
        )

    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        token_hash=hash_token(token),
        expires_at=timezone.now() + LIFETIME,
        invited_by_user_id=actor.pk,
    )
    _send(invitation, token)
    record("invitation.sent", user_id=actor.pk, invitation_id=invitation.pk)
    return invitation


def invite_first_admin(*, actor: str, email: str) -> Invitation:
    """Invite an organisation's first admin on an operator's behalf."""
    email = normalise_email(email)
    if Membership.objects.exists():
        raise Conflict("This organisation already has members; its admins invite.")
    if pending_invitations().filter(email=email).exists():
        raise Conflict(f"{email} already has an open invitation.")
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        role=Role.ADMIN,
        token_hash=hash_token(token),
        expires_at=timezone.now() + LIFETIME,
        invited_by_user_id=None,
    )
    _send(invitation, token)
    record("invitation.sent", invitation_id=invitation.pk, operator=actor)
    return invitation


def resend_invitation(*, actor: User, invitation_id: int) -> Invitation:
    """Send a fresh link for an open invitation; the old link stops working."""
    invitation = _open(invitation_id)
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    invitation.expires_at = timezone.now() + LIFETIME
    invitation.save(update_fields=["token_hash", "expires_at"])
    _send(invitation, token)
    record("invitation.sent", user_id=actor.pk, invitation_id=invitation.pk)
    return invitation


def revoke_invitation(*, actor: User, invitation_id: int) -> None:
    """Withdraw an open invitation; its link stops working at once."""
    invitation = _open(invitation_id)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record("invitation.revoked", user_id=actor.pk, invitation_id=invitation.pk)


def accept_as_existing_account(*, invitation: Invitation, user: User) -> Membership:
    """Make an existing (verified) account a member through its invitation."""
    if normalise_email(user.email) != invitation.email:
        raise InvalidInput("This invitation is for another email address.")
    return _join(invitation, user)


def sign_up_from_invitation(
    *, invitation: Invitation, full_name: str, password: str, base_url: str
) -> User:
    """Make the invited person's account; membership follows verification."""
    from shared_apps.accounts.emails import send_verification
    from shared_apps.accounts.services import create_user

    if User.objects.filter(email=invitation.email).exists():
        raise Conflict("An account already exists for this address: sign in instead.")
    with transaction.atomic():
        user = create_user(
            actor=f"invitation:{invitation.pk}",
            email=invitation.email,
            password=password,
            full_name=full_name.strip(),
        )
        invitation.signed_up_user_id = user.pk
        invitation.save(update_fields=["signed_up_user_id"])
        send_verification(user=user, base_url=base_url)
    record("email.verification_sent", user_id=user.pk)
    return user


def complete_invitation_for(*, user: User) -> Membership | None:
    """Turn a verified sign-up's open invitation into a membership."""
    invitation = (
        pending_invitations()
        .filter(signed_up_user_id=user.pk, email=normalise_email(user.email))
        .first()
    )
    if invitation is None or not user.is_email_verified:
        return None
    return _join(invitation, user)


def _join(invitation: Invitation, user: User) -> Membership:
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_open:
            raise Conflict("This invitation has already been used or withdrawn.")
        membership = add_member(
            actor=f"invitation:{invitation.pk}", user=user, role=locked.role
        )
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
    record("invitation.accepted", user_id=user.pk, invitation_id=invitation.pk)
    return membership


def _open(invitation_id: int) -> Invitation:
    invitation = pending_invitations().filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound("That invitation does not exist or is no longer open.")
    return invitation


def _send(invitation: Invitation, token: str) -> None:
    tenant = current_tenant()
    if tenant is None:
        raise Conflict("Invitations can only be sent inside an organisation.")
    primary = tenant.domains.filter(is_primary=True).first()
    host = primary.domain if primary is not None else hosts_of(tenant)[0]
    scheme = "http" if host.endswith(".localhost") or host == "localhost" else "https"
    port = _public_port()
    link = f"{scheme}://{host}{port}/invitations/{token}/"
    send_invitation(email=invitation.email, organisation=str(tenant.name), link=link)


def _public_port() -> str:
    from django.conf import settings

    port = settings.OPSYN_PUBLIC_PORT
    return f":{port}" if port else ""
