"""``opsyn``: the operators' command line.

Each command is a thin adapter over a service. Refusals print one readable
line on stderr and exit 1; usage mistakes exit 2; nothing prints a
traceback unless ``OPSYN_TRACEBACK=1``.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

EXIT_REFUSED = 1
EXIT_USAGE = 2

# Modules that add command groups: each has ``register(groups, command,
# group)`` taking the subparsers object and this module's two helpers.
COMMAND_MODULES: tuple[str, ...] = (
    "opsyn.cli_access",
    "opsyn.cli_audit",
    "opsyn.cli_identity",
    "opsyn.cli_incidents",
    "opsyn.cli_jobs",
)


class CommandError(Exception):
    """A refusal raised by the CLI itself, printed as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see --help)\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    if args.handler.__name__ == "show_help":
        return int(args.handler(args))
    # Operators read results on stdout; lifecycle logs only when asked for.
    os.environ.setdefault("OPSYN_LOG_LEVEL", "WARNING")
    # Operators migrate, provision and run maintenance: the owner role.
    os.environ.setdefault("OPSYN_DATABASE_AS_OWNER", "1")
    try:
        _setup_django()
        from opsyn import context

        with context.bound(actor=_actor()):
            return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("opsyn: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("OPSYN_TRACEBACK") == "1":
            raise
        print(f"opsyn: {_describe(exc)}", file=sys.stderr)
        return EXIT_REFUSED


def _describe(exc: Exception) -> str:
    from django.db import OperationalError

    from opsyn.errors import PlatformError

    if isinstance(exc, PlatformError | CommandError):
        return str(exc)
    if isinstance(exc, OperationalError):
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return f"cannot use the database: {first}"
    return f"unexpected {type(exc).__name__}: {exc} (OPSYN_TRACEBACK=1 shows more)"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsyn.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _actor() -> str:
    return f"cli:{os.environ.get('OPSYN_OPERATOR') or getpass.getuser()}"


def _command(
    parent: Any,
    name: str,
    handler: Callable[[argparse.Namespace], int | None],
    **kw: Any,
) -> argparse.ArgumentParser:
    sub: argparse.ArgumentParser = parent.add_parser(name, **kw)
    sub.set_defaults(handler=handler)
    return sub


def _group(parent: Any, name: str, **kw: Any) -> argparse.ArgumentParser:
    group: argparse.ArgumentParser = parent.add_parser(name, **kw)

    def show_help(args: argparse.Namespace) -> int:
        group.print_help()
        return EXIT_USAGE

    group.set_defaults(handler=show_help)
    return group


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="opsyn", description="Operate the OpSyn platform.")
    groups = parser.add_subparsers(title="commands", parser_class=_Parser)

    tenants = _group(groups, "tenants", help="provision and run tenants")
    t = tenants.add_subparsers(title="tenant commands", parser_class=_Parser)
    create = _command(t, "create", _tenants_create, help="provision a tenant")
    create.add_argument("--name", required=True)
    create.add_argument("--slug", required=True)
    create.add_argument("--domain", required=True)
    create.add_argument("--region", default=None)
    listing = _command(t, "list", _tenants_list, help="list tenants")
    listing.add_argument("--json", action="store_true", help="print JSON")
    for verb, handler in (("suspend", _tenants_suspend), ("resume", _tenants_resume)):
        _command(t, verb, handler, help=f"{verb} a tenant").add_argument("slug")
    delete = _command(t, "delete", _tenants_delete, help="delete a tenant and its data")
    delete.add_argument("slug")
    delete.add_argument("--yes", action="store_true", help="do not ask to confirm")

    domains = _group(groups, "domains", help="route hosts to tenants")
    d = domains.add_subparsers(title="domain commands", parser_class=_Parser)
    add = _command(d, "add", _domains_add, help="add a domain to a tenant")
    add.add_argument("slug")
    add.add_argument("domain")
    add.add_argument("--primary", action="store_true")
    _command(d, "remove", _domains_remove, help="remove a domain").add_argument(
        "domain"
    )
    _command(
        d, "set-primary", _domains_primary, help="make a domain primary"
    ).add_argument("domain")

    migrate = _command(
        groups, "migrate", _migrate, help="migrate public and all tenants"
    )
    migrate.add_argument(
        "--jobs", type=_positive, default=None, help="parallel migrations"
    )

    pool = _group(groups, "pool", help="schemas prepared ahead of provisioning")
    p = pool.add_subparsers(title="pool commands", parser_class=_Parser)
    fill = _command(p, "fill", _pool_fill, help="prepare schemas up to the pool size")
    fill.add_argument("--size", type=int, default=None)
    _command(p, "status", _pool_status, help="show prepared schemas")

    accounts = _group(groups, "accounts", help="global accounts")
    a = accounts.add_subparsers(title="account commands", parser_class=_Parser)
    _command(a, "rebuild-index", _rebuild_index, help="rebuild the membership index")
    operator = _command(a, "create-operator", _create_operator, help="add an operator")
    operator.add_argument("email")
    operator.add_argument(
        "--role",
        default="platform_admin",
        help="global role: platform_admin (default) or support",
    )

    _command(groups, "demo", _demo, help="provision the local demo tenant")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(groups, _command, _group)
    return parser


def _positive(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _tenants_create(args: argparse.Namespace) -> None:
    from shared_apps.tenants import services

    tenant = services.provision_tenant(
        actor=_actor(),
        name=args.name,
        slug=args.slug,
        domain=args.domain,
        region=args.region,
    )
    host = tenant.domains.get(is_primary=True).domain
    print(f"provisioned {tenant.slug} (schema {tenant.schema_name}) on {host}")


def _tenants_list(args: argparse.Namespace) -> None:
    from shared_apps.tenants.selectors import tenants_listed

    rows = [
        {
            "slug": t.slug,
            "name": t.name,
            "status": t.status,
            "region": t.region,
            "schema": t.schema_name,
            "domains": [d.domain for d in t.domains.all()],
            "created_at": t.created_at.isoformat(),
        }
        for t in tenants_listed()
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    columns = ("slug", "status", "region", "domains", "name")
    table = [[_cell(row[c]) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in table)]) for i, c in enumerate(columns)]
    for line in ([c.upper() for c in columns], *table):
        print("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())


def _cell(value: object) -> str:
    return ",".join(value) if isinstance(value, list) else str(value)


def _tenants_suspend(args: argparse.Namespace) -> None:
    from shared_apps.tenants import services

    services.suspend_tenant(actor=_actor(), slug=args.slug)
    print(f"suspended {args.slug}")


def _tenants_resume(args: argparse.Namespace) -> None:
    from shared_apps.tenants import services

    services.resume_tenant(actor=_actor(), slug=args.slug)
    print(f"resumed {args.slug}")


def _tenants_delete(args: argparse.Namespace) -> None:
    from shared_apps.tenants import selectors, services

    tenant = selectors.tenant_by_slug(args.slug)
    if not args.yes:
        # From a terminal it asks; from a pipe it reads the slug as the answer.
        if sys.stdin.isatty():
            answer = input(f"Delete {tenant.slug} and all its data? Type the slug: ")
        else:
            answer = sys.stdin.readline()
        if not answer:
            raise CommandError(
                f"refusing to delete {tenant.slug} without confirmation; pass --yes "
                "or type the slug"
            )
        if answer.strip() != tenant.slug:
            raise CommandError("not confirmed; nothing was deleted")
    services.delete_tenant(actor=_actor(), slug=tenant.slug)
    print(f"deleted {tenant.slug}")


def _domains_add(args: argparse.Namespace) -> None:
    from shared_apps.tenants import services

    added = services.add_domain(
        actor=_actor(), slug=args.slug, domain=args.domain, primary=args.primary
    )
    print(f"added {added.domain} to {args.slug}")


def _domains_remove(args: argparse.Namespace) -> None:
    from shared_apps.tenants import services

    services.remove_domain(actor=_actor(), domain=args.domain)
    print(f"removed {args.domain}")


def _domains_primary(args: argparse.Namespace) -> None:
    from shared_apps.tenants import services

    found = services.set_primary_domain(actor=_actor(), domain=args.domain)
    print(f"{found.domain} is now primary")


def _migrate(args: argparse.Namespace) -> int:
    from shared_apps.tenants import migrating
    from shared_apps.tenants.migration_worker import SchemaResult

    migrating.migrate_public()
    print("public: migrated")

    def report(result: SchemaResult) -> None:
        status = "migrated" if result.ok else f"FAILED: {result.error}"
        print(f"{result.schema}: {status}", flush=True)

    results = migrating.migrate_tenants(jobs=args.jobs, report=report)
    failed = [r.schema for r in results if not r.ok]
    if failed:
        raise CommandError(f"migration failed for: {', '.join(failed)}")
    print(f"tenants: {len(results)} migrated, all up to date")
    return 0


def _pool_fill(args: argparse.Namespace) -> None:
    from django.conf import settings

    from shared_apps.tenants import schemas

    size = settings.OPSYN_SCHEMA_POOL_SIZE if args.size is None else args.size
    if size < 0:
        raise CommandError("--size must not be negative")
    made = schemas.fill_pool(size)
    print(f"prepared {made} schema(s); pool size {size}")


def _pool_status(args: argparse.Namespace) -> None:
    from shared_apps.tenants import schemas
    from shared_apps.tenants.models import PreparedSchema

    current = schemas.migration_fingerprint()
    for prepared in PreparedSchema.objects.all():
        state = "current" if prepared.fingerprint == current else "stale"
        print(f"{prepared.schema_name}  {state}  {prepared.created_at:%Y-%m-%d %H:%M}")


def _rebuild_index(args: argparse.Namespace) -> None:
    from tenant_apps.members.services import reindex_all_memberships

    count = reindex_all_memberships()
    print(f"indexed {count} membership(s)")


def _create_operator(args: argparse.Namespace) -> None:
    from django.db import transaction

    from shared_apps.accounts import services
    from shared_apps.operators.services import assign_global_role

    password = _read_new_password()
    with transaction.atomic():
        # The operator running the command vouches for the address; the new
        # operator still enrols a second factor at first sign-in.
        user = services.create_user(
            actor=_actor(),
            email=args.email,
            password=password,
            is_staff=True,
            email_verified=True,
        )
        assign_global_role(actor=_actor(), email=user.email, role=args.role)
    print(f"created operator {user.email} ({args.role})")


def _read_new_password() -> str:
    """Ask twice on a terminal; read one line from a pipe."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise CommandError("no password given on standard input")
        return line.rstrip("\n")
    try:
        first = getpass.getpass("Password for the new operator: ")
        second = getpass.getpass("The same password again: ")
    except EOFError:
        raise CommandError("no password given") from None
    if first != second:
        raise CommandError("the two passwords differ; nothing was created")
    return first


def _demo(args: argparse.Namespace) -> None:
    from opsyn import demo

    for line in demo.ensure_demo():
        print(line)


if __name__ == "__main__":
    sys.exit(main())
