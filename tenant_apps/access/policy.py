"""The one place that decides who may do what.

``may(actor, action, entity, obj=None)`` answers a yes/no question and
``visible(actor, entity, queryset)`` narrows a query to the rows an actor
may see. Both resolve a scope (none, own, all) from three things only:

- the actor's role grants: an organisation role for members (presets from
  ``presets.py``, custom roles from their ``Grant`` rows), a global role
  for platform operators (``shared_apps.operators.roles``);
- whether the entity's module is switched on for the organisation and for
  the member: a switched-off module resolves to none;
- for operators on tenant data, an unexpired support access granted by a
  tenant admin. A global role alone never reaches tenant data.

An actor is resolved once per request and loads everything it needs on its
first decision (at most three queries), so any number of checks costs O(1)
queries. Nothing else in the code base inspects roles.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from shared_apps.tenants.activation import PUBLIC_SCHEMA, current_schema

from .catalogue import Entity, Scope, catalogue
from .presets import PRESETS, Table, preset_grants

if TYPE_CHECKING:
    from shared_apps.accounts.models import User
    from tenant_apps.members.models import Membership

security_log = logging.getLogger("opsyn.security")
M = TypeVar("M", bound=Model)
REQUEST_ATTRIBUTE = "_opsyn_actor"
PLATFORM_PREFIX = "platform."


@dataclass
class Actor:
    """Who is asking, as the policy sees them.

    ``schema`` is where the actor was resolved: a member's rights hold in
    their own organisation's schema only.
    """

    label: str
    user_id: int | None = None
    membership: Membership | None = None
    global_role: str | None = None
    schema: str = PUBLIC_SCHEMA
    _table: Table | None = field(default=None, repr=False)
    _modules_off: frozenset[str] | None = field(default=None, repr=False)
    _support_until: Any = field(default=None, repr=False)

    @property
    def is_member(self) -> bool:
        return self.membership is not None and self.membership.is_active

    @property
    def role_key(self) -> str | None:
        return self.membership.role if self.membership is not None else None


def anonymous() -> Actor:
    return Actor(label="anonymous", schema=current_schema())


def member_actor(membership: Membership) -> Actor:
    """Return the actor for a member of the current organisation."""
    return Actor(
        label=f"user:{membership.user_id}",
        user_id=membership.user_id,
        membership=membership,
        schema=current_schema(),
    )


def operator_actor(user: User, *, label: str | None = None) -> Actor:
    """Return the actor for a platform operator (one query for the role).

    A superuser is the bootstrap platform admin; any other account needs an
    ``OperatorRole`` row to hold a global role.
    """
    from shared_apps.operators.models import GlobalRole, OperatorRole

    role: str | None = None
    if user.is_active:
        if user.is_superuser:
            role = GlobalRole.PLATFORM_ADMIN
        else:
            found = OperatorRole.objects.filter(user_id=user.pk).first()
            role = found.role if found is not None else None
    return Actor(
        label=label or f"operator:{user.pk}",
        user_id=user.pk,
        global_role=role,
        schema=current_schema(),
    )


def actor_for_request(request: HttpRequest) -> Actor:
    """Return (and remember for the request) the actor behind a request."""
    cached = getattr(request, REQUEST_ATTRIBUTE, None)
    if isinstance(cached, Actor):
        return cached
    actor: Actor
    if getattr(request, "tenant", None) is not None:
        # The membership middleware has already loaded the member's record,
        # or the support access that lets an operator look.
        membership = getattr(request, "membership", None)
        if membership is not None:
            actor = member_actor(membership)
        elif getattr(request, "support_access", None) is not None:
            user = cast("User", request.user)
            actor = operator_actor(user, label=f"support:{user.pk}")
        else:
            actor = anonymous()
    elif request.user.is_authenticated:
        actor = operator_actor(request.user)
    else:
        actor = anonymous()
    setattr(request, REQUEST_ATTRIBUTE, actor)
    return actor


def scope(actor: Actor, action: str, entity: str) -> Scope:
    """Return how far ``action`` on ``entity`` reaches for ``actor``."""
    if entity.startswith(PLATFORM_PREFIX):
        return _platform_scope(actor, action, entity)
    declared = catalogue.get(entity)
    if action not in declared.actions or actor.schema != current_schema():
        return Scope.NONE
    if not module_visible(actor, declared.module):
        return Scope.NONE
    if actor.is_member:
        return _table(actor).get((entity, action), Scope.NONE)
    # Support looks, never touches, and never at the organisation's
    # administrative records.
    if (
        actor.global_role is not None
        and action == "view"
        and not declared.administrative
        and _has_support_access(actor)
    ):
        return Scope.ALL
    return Scope.NONE


def may(
    actor: Actor,
    action: str,
    entity: str,
    obj: Model | None = None,
    *,
    log_denial: bool = True,
) -> bool:
    """Return whether ``actor`` may ``action`` on ``entity`` (or on ``obj``).

    Without ``obj`` the question is "on at least some records", which is
    what creating and opening a list need. A refusal is logged to the
    security logger unless the caller is only deciding what to display.
    """
    reach = scope(actor, action, entity)
    allowed = reach is Scope.ALL or (reach is Scope.OWN and obj is None)
    if reach is Scope.OWN and obj is not None:
        owner = _owner(catalogue.get(entity), obj)
        allowed = owner is not None and owner == actor.user_id
    if not allowed and log_denial:
        security_log.warning(
            "permission.denied",
            extra={
                "actor": actor.label,
                "entity": entity,
                "action": action,
                "object_id": getattr(obj, "pk", None),
            },
        )
    return allowed


def visible(
    actor: Actor, entity: str, queryset: QuerySet[M], *, action: str = "view"
) -> QuerySet[M]:
    """Narrow ``queryset`` to the rows ``actor`` may ``action`` (view)."""
    reach = scope(actor, action, entity)
    if reach is Scope.ALL:
        return queryset
    owner_field = catalogue.get(entity).owner_field
    if reach is Scope.OWN and owner_field is not None and actor.user_id is not None:
        return queryset.filter(**{owner_field: actor.user_id})
    return queryset.none()


def module_visible(actor: Actor, module: str) -> bool:
    """Return whether a module exists at all for this actor.

    A module switched off for the organisation, or for this member, is
    invisible: its pages answer 404 and its permissions resolve to none.
    """
    declared = catalogue.modules.get(module)
    if declared is None:
        return False
    if not declared.toggleable:
        return True
    if actor.schema != current_schema() or actor.schema == PUBLIC_SCHEMA:
        return False
    return module not in _modules_off(actor)


def _platform_scope(actor: Actor, action: str, entity: str) -> Scope:
    from shared_apps.operators.roles import GLOBAL_GRANTS, PLATFORM_ENTITIES

    if actor.global_role is None:
        return Scope.NONE
    actions = GLOBAL_GRANTS.get(actor.global_role, frozenset())
    if "*" in actions:
        # Platform admins reach every platform entity, including console
        # pages other apps add later; other roles only the declared ones.
        return Scope.ALL
    if entity in PLATFORM_ENTITIES and action in actions:
        return Scope.ALL
    return Scope.NONE


def _table(actor: Actor) -> Table:
    if actor._table is None:
        _load(actor)
    assert actor._table is not None
    return actor._table


@functools.cache
def _preset_table(key: str) -> Table:
    # The catalogue is complete once apps are ready and never changes after.
    return preset_grants(key, catalogue)


def _modules_off(actor: Actor) -> frozenset[str]:
    if actor._modules_off is None:
        _load(actor)
    assert actor._modules_off is not None
    return actor._modules_off


def _load(actor: Actor) -> None:
    """Read everything an actor's decisions need, in one query.

    The organisation's switched-off modules, the member's own switches and,
    for a custom role, its grants come back as one UNION ALL of rows
    tagged by kind; presets need no grant rows.
    """
    from django.db.models import CharField, Value

    from .models import Grant, MemberModuleFlag, ModuleSetting

    def tagged(kind: str, queryset: QuerySet[Any], *columns: str) -> QuerySet[Any]:
        blanks = {f"_c{n}": Value("", CharField()) for n in range(3 - len(columns))}
        rows: QuerySet[Any] = queryset.annotate(
            _kind=Value(kind, CharField()), **blanks
        ).values_list("_kind", *columns, *blanks)
        return rows

    key = actor.role_key or ""
    parts = [tagged("org", ModuleSetting.objects.filter(enabled=False), "module")]
    if actor.is_member and actor.user_id is not None:
        flags = MemberModuleFlag.objects.filter(user_id=actor.user_id, enabled=False)
        parts.append(tagged("member", flags, "module"))
        if key not in PRESETS:
            grants = Grant.objects.filter(role__key=key)
            parts.append(tagged("grant", grants, "entity", "action", "scope"))
    rows = (
        list(parts[0].union(*parts[1:], all=True)) if len(parts) > 1 else list(parts[0])
    )

    off = {row[1] for row in rows if row[0] in ("org", "member")}
    actor._modules_off = frozenset(off)
    if key in PRESETS:
        actor._table = _preset_table(key)
    else:
        actor._table = {
            (entity, action): Scope.from_key(reach)
            for kind, entity, action, reach in rows
            if kind == "grant"
        }


def _has_support_access(actor: Actor) -> bool:
    if actor._support_until is None:
        from shared_apps.operators.selectors import active_support_access
        from shared_apps.tenants.activation import current_tenant

        tenant = current_tenant()
        found = (
            active_support_access(tenant_id=tenant.pk, operator_id=actor.user_id)
            if tenant is not None and actor.user_id is not None
            else None
        )
        actor._support_until = found.expires_at if found is not None else False
    until = actor._support_until
    return until is not False and until > timezone.now()


def _owner(entity: Entity, obj: Model) -> int | None:
    if entity.owner_field is None:
        return None
    value = getattr(obj, entity.owner_field, None)
    return int(value) if value is not None else None
