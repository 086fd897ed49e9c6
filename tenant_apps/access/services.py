"""Changes to roles, member access and module switches.

Every function takes the acting member explicitly and asks the policy
first, so the members screen, the CLI and tests share one set of rules:
an organisation always keeps an active admin, presets cannot be edited,
and a role in use cannot be deleted.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from opsyn.errors import Conflict, InvalidInput, NotFound
from shared_apps.accounts.services import index_membership
from shared_apps.tenants.activation import current_tenant
from tenant_apps.members.models import Membership, MembershipStatus

from . import policy
from .catalogue import Scope, catalogue
from .errors import NotAllowed
from .models import Grant, MemberModuleFlag, ModuleSetting, Role
from .presets import ADMIN, PRESETS
from .selectors import role_keys

log = logging.getLogger(__name__)
MEMBERS = "members.membership"
ROLES = "access.role"
MAX_SUPPORT_HOURS = 72


def _require(actor: policy.Actor, action: str, entity: str) -> None:
    if not policy.may(actor, action, entity):
        raise NotAllowed("Your role does not allow this change.")


def _membership(membership_id: int) -> Membership:
    found = Membership.objects.filter(pk=membership_id).first()
    if found is None:
        raise NotFound("No such member.")
    return found


def _keeps_an_admin(*, without: Membership) -> bool:
    return (
        Membership.objects.filter(role=ADMIN, status=MembershipStatus.ACTIVE)
        .exclude(pk=without.pk)
        .exists()
    )


def change_member_role(
    *, actor: policy.Actor, membership_id: int, role: str
) -> Membership:
    """Give a member another role (preset or custom)."""
    _require(actor, "change", MEMBERS)
    membership = _membership(membership_id)
    if role not in role_keys():
        raise InvalidInput(f"Role {role!r} does not exist.")
    if (
        membership.role == ADMIN
        and role != ADMIN
        and not _keeps_an_admin(without=membership)
    ):
        raise Conflict("The organisation must keep at least one active admin.")

    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    log.info(
        "member.role_changed",
        extra={
            "actor": actor.label,
            "user_id": membership.user_id,
            "from_role": previous,
            "to_role": role,
        },
    )
    return membership


def set_member_module(
    *, actor: policy.Actor, membership_id: int, module: str, enabled: bool
) -> None:
    """Switch a module on or off for one member."""
    _require(actor, "change", MEMBERS)
    membership = _membership(membership_id)
    declared = catalogue.modules.get(module)
    if declared is None or not declared.toggleable:
        raise InvalidInput(f"Module {module!r} cannot be switched per member.")

    MemberModuleFlag.objects.update_or_create(
        user_id=membership.user_id, module=module, defaults={"enabled": enabled}
    )
    log.info(
        "member.module_switched",
        extra={
            "actor": actor.label,
            "user_id": membership.user_id,
            "module_key": module,
            "enabled": enabled,
        },
    )


def set_organisation_module(*, actor: policy.Actor, module: str, enabled: bool) -> None:
    """Switch a module on or off for the whole organisation."""
    _require(actor, "administer", ROLES)
    declared = catalogue.modules.get(module)
    if declared is None or not declared.toggleable:
        raise InvalidInput(f"Module {module!r} cannot be switched off.")
    ModuleSetting.objects.update_or_create(module=module, defaults={"enabled": enabled})
    log.info(
        "organisation.module_switched",
        extra={"actor": actor.label, "module_key": module, "enabled": enabled},
    )


def suspend_member(*, actor: policy.Actor, membership_id: int) -> Membership:
    """Refuse a member access from now on and end their sessions here."""
    _require(actor, "change", MEMBERS)
    membership = _membership(membership_id)
    if membership.user_id == actor.user_id:
        raise Conflict("You cannot suspend yourself.")
    if membership.role == ADMIN and not _keeps_an_admin(without=membership):
        raise Conflict("The organisation must keep at least one active admin.")

    with transaction.atomic():
        membership.status = MembershipStatus.SUSPENDED
        membership.save(update_fields=["status", "updated_at"])
        ended = _end_sessions(user_id=membership.user_id)
    log.info(
        "member.suspended",
        extra={
            "actor": actor.label,
            "user_id": membership.user_id,
            "sessions_ended": ended,
        },
    )
    return membership


def resume_member(*, actor: policy.Actor, membership_id: int) -> Membership:
    """Let a suspended member back in."""
    _require(actor, "change", MEMBERS)
    membership = _membership(membership_id)
    membership.status = MembershipStatus.ACTIVE
    membership.save(update_fields=["status", "updated_at"])
    log.info(
        "member.resumed", extra={"actor": actor.label, "user_id": membership.user_id}
    )
    return membership


def remove_member(*, actor: policy.Actor, membership_id: int) -> None:
    """Remove a member and end their sessions on this organisation at once."""
    _require(actor, "delete", MEMBERS)
    membership = _membership(membership_id)
    if membership.user_id == actor.user_id:
        raise Conflict("You cannot remove yourself.")
    if membership.role == ADMIN and not _keeps_an_admin(without=membership):
        raise Conflict("The organisation must keep at least one active admin.")
    tenant = current_tenant()
    if tenant is None:
        raise Conflict("Members can only be removed inside an organisation.")

    with transaction.atomic():
        user_id = membership.user_id
        MemberModuleFlag.objects.filter(user_id=user_id).delete()
        membership.delete()
        index_membership(user_id=user_id, tenant_id=tenant.pk, member=False)
        ended = _end_sessions(user_id=user_id)
    log.info(
        "member.removed",
        extra={"actor": actor.label, "user_id": user_id, "sessions_ended": ended},
    )


def _end_sessions(*, user_id: int) -> int:
    """Delete the user's sessions on this organisation's hosts only."""
    from shared_apps.sessions.models import Session
    from shared_apps.tenants.selectors import hosts_of

    tenant = current_tenant()
    if tenant is None:
        return 0
    deleted, _ = Session.objects.filter(
        user_id=user_id, host__in=hosts_of(tenant)
    ).delete()
    return deleted


GrantSpec = dict[tuple[str, str], Scope]


def _check_grants(grants: GrantSpec) -> None:
    for (entity, action), reach in grants.items():
        declared = catalogue.entities.get(entity)
        if declared is None or action not in declared.actions:
            raise InvalidInput(f"{action} on {entity} is not a known permission.")
        if reach is Scope.OWN and declared.owner_field is None:
            raise InvalidInput(
                f"{declared.label} have no owner, so 'own' cannot apply to them."
            )


def _replace_grants(role: Role, grants: GrantSpec) -> None:
    role.grants.all().delete()
    Grant.objects.bulk_create(
        Grant(role=role, entity=entity, action=action, scope=reach.key)
        for (entity, action), reach in grants.items()
        if reach is not Scope.NONE
    )


def create_role(
    *, actor: policy.Actor, name: str, description: str = "", grants: GrantSpec
) -> Role:
    """Compose a custom role from grants."""
    _require(actor, "create", ROLES)
    name = name.strip()
    key = slugify(name)[:40]
    if not key:
        raise InvalidInput("Give the role a name.")
    if key in PRESETS or Role.objects.filter(key=key).exists():
        raise Conflict(f"A role called {name!r} already exists.")
    _check_grants(grants)

    with transaction.atomic():
        role = Role.objects.create(key=key, name=name, description=description)
        _replace_grants(role, grants)
    log.info("role.created", extra={"actor": actor.label, "role": key})
    return role


def update_role(
    *,
    actor: policy.Actor,
    role_key: str,
    name: str,
    description: str = "",
    grants: GrantSpec,
) -> Role:
    """Change a custom role's name and grants; presets cannot be edited."""
    _require(actor, "change", ROLES)
    role = _custom_role(role_key)
    if not name.strip():
        raise InvalidInput("Give the role a name.")
    _check_grants(grants)

    with transaction.atomic():
        role.name = name.strip()
        role.description = description
        role.save(update_fields=["name", "description", "updated_at"])
        _replace_grants(role, grants)
    log.info("role.updated", extra={"actor": actor.label, "role": role_key})
    return role


def delete_role(*, actor: policy.Actor, role_key: str) -> None:
    """Delete a custom role no member holds."""
    _require(actor, "delete", ROLES)
    role = _custom_role(role_key)
    holders = Membership.objects.filter(role=role_key).count()
    if holders:
        raise Conflict(
            f"{holders} member{'s' if holders != 1 else ''} still hold "
            f"{role.name}; give them another role first."
        )
    from tenant_apps.invitations.selectors import pending_invitations

    invited = pending_invitations().filter(role=role_key).count()
    if invited:
        raise Conflict(
            f"{invited} open invitation{'s' if invited != 1 else ''} offer "
            f"{role.name}; revoke or resend them with another role first."
        )
    role.delete()
    log.info("role.deleted", extra={"actor": actor.label, "role": role_key})


def _custom_role(key: str) -> Role:
    if key in PRESETS:
        raise Conflict("Preset roles cannot be changed or deleted.")
    role = Role.objects.filter(key=key).first()
    if role is None:
        raise NotFound("No such role.")
    return role


def grant_support_access(
    *, actor: policy.Actor, operator_email: str, hours: int, reason: str
) -> None:
    """Let a platform support operator look at this organisation's data.

    Access is read-only, ends by itself after ``hours`` and is logged to
    the security log when granted.
    """
    from shared_apps.accounts.models import User, normalise_email
    from shared_apps.operators.models import OperatorRole, SupportAccess

    _require(actor, "administer", MEMBERS)
    tenant = current_tenant()
    if tenant is None:
        raise Conflict("Support access is granted inside an organisation.")
    if not 1 <= hours <= MAX_SUPPORT_HOURS:
        raise InvalidInput(f"Grant between 1 and {MAX_SUPPORT_HOURS} hours.")
    if not reason.strip():
        raise InvalidInput("Say why support needs access.")
    operator = User.objects.filter(email=normalise_email(operator_email)).first()
    if (
        operator is None
        or not OperatorRole.objects.filter(user_id=operator.pk).exists()
    ):
        raise NotFound(f"{operator_email!r} is not a platform operator.")

    access = SupportAccess.objects.create(
        tenant=tenant,
        operator=operator,
        granted_by_user_id=actor.user_id or 0,
        reason=reason.strip(),
        expires_at=timezone.now() + timedelta(hours=hours),
    )
    policy.security_log.info(
        "support_access.granted",
        extra={
            "actor": actor.label,
            "operator_id": operator.pk,
            "tenant": tenant.slug,
            "expires_at": access.expires_at.isoformat(),
        },
    )


def revoke_support_access(*, actor: policy.Actor, access_id: int) -> None:
    """End a support access before it expires."""
    from shared_apps.operators.models import SupportAccess

    _require(actor, "administer", MEMBERS)
    tenant = current_tenant()
    if tenant is None:
        raise Conflict("Support access is revoked inside an organisation.")
    access = SupportAccess.objects.filter(
        pk=access_id, tenant_id=tenant.pk, revoked_at__isnull=True
    ).first()
    if access is None:
        raise NotFound("No such support access.")
    access.revoked_at = timezone.now()
    access.save(update_fields=["revoked_at"])
    policy.security_log.info(
        "support_access.revoked",
        extra={"actor": actor.label, "operator_id": access.operator_id},
    )
