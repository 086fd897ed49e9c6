"""The organisation admin's screen of members' sessions.

Sign-in and sign-out live in ``shared_apps.accounts`` (the same pages
serve the platform host).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render

from opsyn.access import requires
from opsyn.errors import PlatformError
from shared_apps.accounts.models import User
from shared_apps.accounts.signin import is_locked, lift_lock
from shared_apps.sessions import selectors as session_selectors
from shared_apps.sessions import services as session_services
from shared_apps.tenants.selectors import hosts_of

from .models import Membership


@requires("administer", "sessions.session")
def member_sessions(request: HttpRequest) -> HttpResponseBase:
    tenant = request.tenant  # type: ignore[attr-defined]
    hosts = hosts_of(tenant)
    user_ids = list(Membership.objects.values_list("user_id", flat=True))
    if request.method == "POST":
        _act(request, user_ids=user_ids, hosts=hosts)
        return redirect("member-sessions")

    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)}
    sessions_by_user: dict[int, list[dict[str, object]]] = {pk: [] for pk in users}
    for row in session_selectors.live_sessions(user_ids=user_ids, hosts=hosts):
        if row.user_id in sessions_by_user:
            sessions_by_user[row.user_id].append(
                {
                    "public_id": row.public_id,
                    "device": session_selectors.describe_device(row.user_agent),
                    "fingerprint": row.fingerprint[:8],
                    "ip": row.ip,
                    "last_seen_at": row.last_seen_at,
                    "created_at": row.created_at,
                    "current": row.session_key == request.session.session_key,
                }
            )
    members = [
        {
            "email": users[pk].email,
            "locked": is_locked(users[pk].email),
            "sessions": sessions_by_user[pk],
        }
        for pk in sorted(users, key=lambda pk: users[pk].email)
    ]
    return render(request, "members/sessions.html", {"members": members})


def _act(request: HttpRequest, *, user_ids: list[int], hosts: list[str]) -> None:
    actor_id = int(request.user.pk) if request.user.pk is not None else None
    try:
        if "unlock" in request.POST:
            email = request.POST.get("unlock", "")
            member = User.objects.filter(pk__in=user_ids, email=email).first()
            if member is None:
                raise PlatformError("That person is not a member here.")
            lift_lock(actor_id=actor_id, email=member.email)
            messages.success(request, f"Sign-in for {member.email} is unlocked.")
        else:
            session_services.end_session(
                actor_id=actor_id,
                public_id=request.POST.get("session", ""),
                user_ids=user_ids,
                hosts=hosts,
                reason="ended by an organisation admin",
            )
            messages.success(request, "The session is ended.")
    except PlatformError as exc:
        messages.error(request, exc.message)
