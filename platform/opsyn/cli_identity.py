"""``opsyn identity``: operators see and end any session, and lift locks."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def register(
    groups: Any, command: Callable[..., Any], group: Callable[..., Any]
) -> None:
    identity = group(groups, "identity", help="sessions and sign-in locks")
    i = identity.add_subparsers(title="identity commands", parser_class=type(identity))
    listing = command(i, "sessions", _sessions, help="list an account's live sessions")
    listing.add_argument("email")
    end = command(i, "end-session", _end_session, help="end any session by public id")
    end.add_argument("public_id")
    unlock = command(i, "unlock", _unlock, help="lift a sign-in lock on an address")
    unlock.add_argument("email")
    invite = command(
        i, "invite-admin", _invite_admin, help="invite a tenant's first admin"
    )
    invite.add_argument("slug")
    invite.add_argument("email")


def _sessions(args: argparse.Namespace) -> None:
    from opsyn.errors import NotFound
    from shared_apps.accounts.models import User, normalise_email
    from shared_apps.sessions.selectors import describe_device, live_sessions

    user = User.objects.filter(email=normalise_email(args.email)).first()
    if user is None:
        raise NotFound(f"No account uses {args.email!r}.")
    rows = live_sessions(user_ids=[user.pk])
    for row in rows:
        seen = f"{row.last_seen_at:%Y-%m-%d %H:%M}"
        device = describe_device(row.user_agent)
        print(
            f"{row.public_id}  {row.host}  {row.ip or '-'}  {device}  last seen {seen}"
        )
    if not rows:
        print(f"{user.email} has no live sessions")


def _end_session(args: argparse.Namespace) -> None:
    from shared_apps.sessions.services import end_session

    session = end_session(
        actor_id=None, public_id=args.public_id, reason="ended by an operator"
    )
    print(f"ended session {session.public_id} on {session.host}")


def _unlock(args: argparse.Namespace) -> None:
    from opsyn.errors import NotFound
    from shared_apps.accounts.models import User, normalise_email
    from shared_apps.accounts.signin import lift_lock

    email = normalise_email(args.email)
    if not User.objects.filter(email__iexact=email).exists():
        raise NotFound(f"No account uses {email!r}; there is nothing to unlock.")
    lift_lock(actor_id=None, email=email)
    print(f"sign-in for {email} is unlocked")


def _invite_admin(args: argparse.Namespace) -> None:
    from opsyn import context
    from shared_apps.tenants.activation import tenant_scope
    from shared_apps.tenants.selectors import tenant_by_slug
    from tenant_apps.invitations.services import invite_first_admin

    tenant = tenant_by_slug(args.slug)
    with tenant_scope(tenant):
        invitation = invite_first_admin(actor=context.current().actor, email=args.email)
    print(
        f"invited {invitation.email} as admin of {tenant.slug}; the link lasts 7 days"
    )
