"""The CLI acts as a named operator, through the authorisation policy.

Who the CLI is:

- ``OPSYN_OPERATOR=<email>``: that operator account. It must be active and
  hold a global role (or be the bootstrap superuser); each command is then
  allowed or refused by that role, so a support operator gets a read-only
  CLI (``tenants list``, ``pool status``, ``operators list``).
- ``OPSYN_OPERATOR`` unset (deployments, cron, the devstack): the
  deployment identity ``cli:<shell user>``, which holds the platform-admin
  role. The CLI runs with the database owner's credentials, so whoever can
  start it can already change anything; the named identity is for
  accountability and least privilege, not a barrier against the host.

Every command maps to an (action, platform entity) pair below; a command
missing from the map needs ``administer`` on ``platform.cli``, which only
platform admins hold. Gating is applied when the command line is parsed,
so it covers command modules registered before or after this one.
"""

from __future__ import annotations

import argparse
import functools
import getpass
import os
from collections.abc import Callable
from typing import Any

Handler = Callable[[argparse.Namespace], int | None]

# handler "module:function" → (action, platform entity)
COMMAND_PERMISSIONS: dict[str, tuple[str, str]] = {
    "opsyn.cli:_tenants_create": ("create", "platform.tenant"),
    "opsyn.cli:_tenants_list": ("view", "platform.tenant"),
    "opsyn.cli:_tenants_suspend": ("change", "platform.tenant"),
    "opsyn.cli:_tenants_resume": ("change", "platform.tenant"),
    "opsyn.cli:_tenants_delete": ("delete", "platform.tenant"),
    "opsyn.cli:_domains_add": ("create", "platform.domain"),
    "opsyn.cli:_domains_remove": ("delete", "platform.domain"),
    "opsyn.cli:_domains_primary": ("change", "platform.domain"),
    "opsyn.cli:_migrate": ("administer", "platform.schema"),
    "opsyn.cli:_pool_fill": ("administer", "platform.preparedschema"),
    "opsyn.cli:_pool_status": ("view", "platform.preparedschema"),
    "opsyn.cli:_rebuild_index": ("administer", "platform.user"),
    "opsyn.cli:_create_operator": ("create", "platform.operatorrole"),
    "opsyn.cli:_demo": ("administer", "platform.demo"),
    "opsyn.cli_access:_operators_grant": ("create", "platform.operatorrole"),
    "opsyn.cli_access:_operators_revoke": ("delete", "platform.operatorrole"),
    "opsyn.cli_access:_operators_list": ("view", "platform.operatorrole"),
    "opsyn.cli_access:_whoami": ("view", "platform.console"),
    "opsyn.cli_jobs:_jobs_list": ("view", "platform.jobrun"),
    "opsyn.cli_jobs:_jobs_show": ("view", "platform.jobrun"),
    "opsyn.cli_jobs:_jobs_run": ("create", "platform.jobrun"),
    "opsyn.cli_jobs:_jobs_cancel": ("change", "platform.jobrun"),
    "opsyn.cli_jobs:_backups_list": ("view", "platform.backup"),
    "opsyn.cli_jobs:_backups_run": ("create", "platform.backup"),
    "opsyn.cli_jobs:_backups_new_key": ("administer", "platform.backup"),
    "opsyn.cli_jobs:_backups_drill": ("create", "platform.restore"),
    "opsyn.cli_jobs:_backups_restore": ("create", "platform.restore"),
    "opsyn.cli_jobs:_backups_promote": ("administer", "platform.restore"),
    "opsyn.cli_jobs:_backups_drop_replaced": ("delete", "platform.restore"),
    "opsyn.cli_incidents:_open": ("create", "platform.incident"),
    "opsyn.cli_incidents:_list": ("view", "platform.incident"),
    "opsyn.cli_incidents:_overdue": ("view", "platform.incident"),
    "opsyn.cli_incidents:_notified": ("change", "platform.incident"),
    "opsyn.cli_incidents:_resolve": ("change", "platform.incident"),
    "opsyn.cli_incidents:_close": ("change", "platform.incident"),
    "opsyn.cli_identity:_sessions": ("view", "platform.session"),
    "opsyn.cli_identity:_end_session": ("delete", "platform.session"),
    "opsyn.cli_identity:_unlock": ("change", "platform.user"),
    "opsyn.cli_identity:_invite_admin": ("administer", "platform.tenant"),
    "opsyn.cli_audit:_verify": ("view", "platform.auditlog"),
    "opsyn.cli_audit:_digest": ("create", "platform.auditlog"),
    # An export carries a tenant's data: beyond what support may do.
    "opsyn.cli_audit:_export": ("export", "platform.auditlog"),
    "opsyn.cli_audit:_install": ("administer", "platform.schema"),
    "opsyn.cli_audit:_reporting_create": ("administer", "platform.reporting"),
    "opsyn.cli_audit:_reporting_rotate": ("administer", "platform.reporting"),
    "opsyn.cli_audit:_reporting_drop": ("administer", "platform.reporting"),
}
UNMAPPED = ("administer", "platform.cli")


def permission_of(handler: Handler) -> tuple[str, str]:
    """Return the (action, entity) a command handler needs."""
    key = f"{handler.__module__}:{handler.__name__}"
    return COMMAND_PERMISSIONS.get(key, UNMAPPED)


def cli_actor() -> Any:
    """Return the policy actor the CLI works as (see the module docstring)."""
    from opsyn.cli import CommandError
    from shared_apps.accounts.models import User, normalise_email
    from shared_apps.operators.models import GlobalRole
    from tenant_apps.access import policy

    email = os.environ.get("OPSYN_OPERATOR", "").strip()
    if not email:
        return policy.Actor(
            label=f"cli:{getpass.getuser()}",
            global_role=GlobalRole.PLATFORM_ADMIN,
        )
    user = User.objects.filter(email=normalise_email(email)).first()
    if user is None:
        raise CommandError(f"OPSYN_OPERATOR {email!r} is not an operator account")
    actor = policy.operator_actor(user, label=f"cli:{user.email}")
    if actor.global_role is None:
        raise CommandError(f"{user.email} holds no global role; nothing is allowed")
    return actor


def gated(handler: Handler) -> Handler:
    """Wrap a command so the policy decides before it runs."""
    action, entity = permission_of(handler)

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int | None:
        from opsyn.cli import CommandError
        from tenant_apps.access import policy

        actor = cli_actor()
        if not policy.may(actor, action, entity):
            raise CommandError(
                f"{actor.label} may not {action} {entity} (global role: "
                f"{actor.global_role})"
            )
        return handler(args)

    run.opsyn_gated = True  # type: ignore[attr-defined]
    return run


def register(groups: Any, command: Any, group: Any) -> None:
    operators = group(groups, "operators", help="global roles of operators")
    o = operators.add_subparsers(title="operator commands")
    grant = command(o, "grant", _operators_grant, help="give an account a global role")
    grant.add_argument("email")
    grant.add_argument("role", help="platform_admin or support")
    command(
        o, "revoke", _operators_revoke, help="take a global role away"
    ).add_argument("email")
    command(o, "list", _operators_list, help="list operators and their roles")
    command(groups, "whoami", _whoami, help="show who the CLI acts as")
    _gate_when_parsed(groups)


def _gate_when_parsed(groups: Any) -> None:
    """Gate whichever command the parser picks, once parsing is complete.

    Swapping the sub-parsers action's class lets the wrapping happen after
    every command module has registered, whatever their order.
    """
    base = type(groups)

    class GatedSubParsers(base):  # type: ignore[misc, valid-type]
        def __call__(
            self,
            parser: argparse.ArgumentParser,
            namespace: argparse.Namespace,
            values: Any,
            option_string: str | None = None,
        ) -> None:
            super().__call__(parser, namespace, values, option_string)
            handler = getattr(namespace, "handler", None)
            if (
                handler is not None
                and handler.__name__ != "show_help"
                and not getattr(handler, "opsyn_gated", False)
            ):
                namespace.handler = gated(handler)

    groups.__class__ = GatedSubParsers


def _operators_grant(args: argparse.Namespace) -> None:
    from shared_apps.operators import services

    found = services.assign_global_role(
        actor=cli_actor().label, email=args.email, role=args.role
    )
    print(f"{args.email} is now {found.get_role_display()}")


def _operators_revoke(args: argparse.Namespace) -> None:
    from shared_apps.operators import services

    services.remove_global_role(actor=cli_actor().label, email=args.email)
    print(f"{args.email} holds no global role")


def _operators_list(args: argparse.Namespace) -> None:
    from shared_apps.accounts.models import User
    from shared_apps.operators.models import OperatorRole

    for row in OperatorRole.objects.select_related("user").order_by("user__email"):
        print(f"{row.user.email}  {row.role}")
    for email in User.objects.filter(is_superuser=True, is_active=True).values_list(
        "email", flat=True
    ):
        print(f"{email}  superuser (bootstrap platform admin)")


def _whoami(args: argparse.Namespace) -> None:
    actor = cli_actor()
    print(f"{actor.label}  {actor.global_role}")
