"""Reads for the members screen and the role matrix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps

from shared_apps.accounts.models import User
from tenant_apps.members.models import Membership

from .catalogue import Scope, catalogue
from .models import Grant, MemberModuleFlag, ModuleSetting, Role
from .presets import PRESETS, preset_grants


def role_keys() -> set[str]:
    """Return every role a member can hold: presets and custom roles."""
    return set(PRESETS) | set(Role.objects.values_list("key", flat=True))


def roles_listed() -> list[dict[str, Any]]:
    """Return presets then custom roles, each with how many members hold it."""
    counts: dict[str, int] = {}
    for key in Membership.objects.values_list("role", flat=True):
        counts[key] = counts.get(key, 0) + 1
    rows: list[dict[str, Any]] = [
        {"key": key, "name": name, "description": text, "is_preset": True}
        for key, (name, text) in PRESETS.items()
    ]
    rows += [
        {
            "key": role.key,
            "name": role.name,
            "description": role.description,
            "is_preset": False,
        }
        for role in Role.objects.all()
    ]
    for row in rows:
        row["members"] = counts.get(row["key"], 0)
    return rows


def role_named(key: str) -> Role | None:
    return Role.objects.filter(key=key).first()


def grants_of(key: str) -> dict[tuple[str, str], Scope]:
    """Return a role's (entity, action) → scope table."""
    if key in PRESETS:
        return preset_grants(key, catalogue)
    rows = Grant.objects.filter(role__key=key).values_list("entity", "action", "scope")
    return {(e, a): Scope.from_key(s) for e, a, s in rows}


@dataclass
class MemberRow:
    membership: Membership
    user: User | None
    role_name: str
    two_factor: str
    modules_off: list[str]


def members_listed() -> list[MemberRow]:
    """Return every member with account, role name, 2FA and module flags.

    Four queries whatever the number of members.
    """
    memberships = list(Membership.objects.order_by("created_at"))
    user_ids = [m.user_id for m in memberships]
    users = User.objects.in_bulk(user_ids)
    names = {key: name for key, (name, _) in PRESETS.items()}
    names.update(Role.objects.values_list("key", "name"))
    off: dict[int, list[str]] = {}
    for user_id, module in MemberModuleFlag.objects.filter(enabled=False).values_list(
        "user_id", "module"
    ):
        off.setdefault(user_id, []).append(module)
    two_factor = _two_factor(user_ids)
    return [
        MemberRow(
            membership=m,
            user=users.get(m.user_id),
            role_name=names.get(m.role, m.role),
            two_factor=two_factor.get(m.user_id, "unknown"),
            modules_off=sorted(off.get(m.user_id, [])),
        )
        for m in memberships
    ]


def _two_factor(user_ids: list[int]) -> dict[int, str]:
    """Return "on"/"off" per user where the platform can tell, else nothing.

    Second factors are the accounts app's own TOTP devices (django-otp's
    models are not installed); without that model the screen says
    "unknown".
    """
    try:
        device = apps.get_model("accounts", "TOTPDevice")
    except LookupError:
        device = None
    if device is not None:
        confirmed = set(
            device.objects.filter(
                user_id__in=user_ids, confirmed_at__isnull=False
            ).values_list("user_id", flat=True)
        )
        return {uid: ("on" if uid in confirmed else "off") for uid in user_ids}
    return {}


def modules_listed() -> list[dict[str, Any]]:
    """Return the toggleable modules and whether the organisation has them on."""
    off = set(
        ModuleSetting.objects.filter(enabled=False).values_list("module", flat=True)
    )
    return [
        {"key": m.key, "label": m.label, "enabled": m.key not in off}
        for m in catalogue.modules.values()
        if m.toggleable
    ]
