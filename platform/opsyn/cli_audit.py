"""``opsyn audit ...`` and ``opsyn reporting ...``: the audit log's commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

Command = Callable[..., argparse.ArgumentParser]


def register(groups: Any, command: Command, group: Command) -> None:
    audit = group(groups, "audit", help="the audit log: verify, digests, export")
    a = audit.add_subparsers(title="audit commands", parser_class=type(audit))
    verify = command(a, "verify", _verify, help="check hash chains and digests")
    verify.add_argument("--tenant", metavar="SLUG", default=None)
    verify.add_argument(
        "--file", type=Path, default=None, help="verify an exported .jsonl instead"
    )
    digest = command(a, "digest", _digest, help="sign and store chain heads")
    digest.add_argument("--tenant", metavar="SLUG", default=None)
    install = command(
        a, "install", _install, help="re-install triggers and grants everywhere"
    )
    install.add_argument("--tenant", metavar="SLUG", default=None)
    export = command(a, "export", _export, help="write a tenant's log to stdout")
    export.add_argument("slug")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")

    reporting = group(groups, "reporting", help="read-only reporting credentials")
    r = reporting.add_subparsers(
        title="reporting commands", parser_class=type(reporting)
    )
    for verb, handler, text in (
        ("create", _reporting_create, "create and print a connection string once"),
        ("rotate", _reporting_rotate, "set a new password and print it once"),
        ("drop", _reporting_drop, "remove the role and its privileges"),
    ):
        command(r, verb, handler, help=text).add_argument("slug")


def _actor() -> str:
    from opsyn import context

    return context.current().actor


def _schemas(slug: str | None) -> list[str]:
    from shared_apps.tenants.models import Tenant, TenantStatus
    from shared_apps.tenants.selectors import tenant_by_slug

    if slug:
        return [tenant_by_slug(slug).schema_name]
    tenants = Tenant.objects.exclude(status=TenantStatus.DELETING).order_by("slug")
    return ["public", *(t.schema_name for t in tenants)]


def _verify(args: argparse.Namespace) -> int:
    from django.conf import settings

    from opsyn.errors import InvalidInput
    from shared_apps.audit import chain, digests
    from shared_apps.audit.models import PurgeReceipt

    if args.file is not None:
        try:
            with args.file.open(encoding="utf-8") as lines:
                verdict = chain.verify_lines(lines)
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise InvalidInput(f"cannot read {args.file}: {reason}") from exc
        print(verdict.describe())
        return 0 if verdict.ok else 1

    broken = 0
    for schema in _schemas(args.tenant):
        verdict = chain.verify_schema(schema)
        print(verdict.describe())
        broken += 0 if verdict.ok else 1
        if not settings.OPSYN_AUDIT_DIGEST_KEY:
            continue
        receipt = (
            PurgeReceipt.objects.filter(schema_name=schema)
            .order_by("-last_event_id")
            .first()
        )
        purged = receipt.last_event_id if receipt else 0
        for problem in digests.check_digests(schema, purged_through=purged):
            print(f"{schema}: DIGEST {problem}")
            broken += 1
    if not settings.OPSYN_AUDIT_DIGEST_KEY:
        print("digests: not checked (OPSYN_AUDIT_DIGEST_KEY is not set)")
    if broken:
        print(f"opsyn: {broken} problem(s) found", file=sys.stderr)
        return 1
    return 0


def _digest(args: argparse.Namespace) -> None:
    from shared_apps.audit import digests

    for schema in _schemas(args.tenant):
        name = digests.write_digest(schema)
        print(f"{schema}: digest {name} written")


def _install(args: argparse.Namespace) -> None:
    from shared_apps.audit.hooks import secure_schema
    from shared_apps.tenants.migrating import managed_schemas

    schemas = _schemas(args.tenant) if args.tenant else ["public", *managed_schemas()]
    for schema in schemas:
        print(f"{schema}: {secure_schema(schema)} table(s) tracked")


def _export(args: argparse.Namespace) -> None:
    from shared_apps.tenants.activation import tenant_scope
    from shared_apps.tenants.selectors import tenant_by_slug
    from tenant_apps.audit import exports
    from tenant_apps.audit.selectors import EventFilter

    tenant = tenant_by_slug(args.slug)
    with tenant_scope(tenant):
        for chunk in exports.stream(EventFilter(), fmt=args.format):
            sys.stdout.write(chunk)


def _reporting_create(args: argparse.Namespace) -> None:
    from shared_apps.audit import reporting

    dsn = reporting.create_reporting_role(actor=_actor(), slug=args.slug)
    print(dsn)
    print(
        "This is shown once; store it in the customer's secret store.", file=sys.stderr
    )


def _reporting_rotate(args: argparse.Namespace) -> None:
    from shared_apps.audit import reporting

    print(reporting.rotate_reporting_role(actor=_actor(), slug=args.slug))
    print("This is shown once; the old password no longer works.", file=sys.stderr)


def _reporting_drop(args: argparse.Namespace) -> None:
    from shared_apps.audit import reporting

    reporting.drop_reporting_role(actor=_actor(), slug=args.slug)
    print(f"dropped the reporting role of {args.slug}")
