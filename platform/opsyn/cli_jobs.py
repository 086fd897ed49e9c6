"""``opsyn jobs`` and ``opsyn backups``: scheduled per-tenant work.

Thin adapters over ``shared_apps.jobs.services`` and
``shared_apps.backups.services``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from opsyn.cli import CommandError, _actor


def register(groups: Any, command: Any, group: Any) -> None:
    jobs = group(groups, "jobs", help="scheduled per-tenant jobs and their runs")
    j = jobs.add_subparsers(title="job commands", parser_class=type(jobs))
    listing = command(j, "list", _jobs_list, help="list runs, newest first")
    listing.add_argument("--tenant", help="only this tenant's runs (slug)")
    listing.add_argument("--kind", choices=["backup", "retention", "drill"])
    listing.add_argument(
        "--status", choices=["queued", "running", "succeeded", "failed", "cancelled"]
    )
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true", help="print JSON")
    command(j, "show", _jobs_show, help="show one run").add_argument("id", type=int)
    run = command(j, "run", _jobs_run, help="run a job for a tenant now")
    run.add_argument("kind", choices=["backup", "retention", "drill"])
    run.add_argument("slug")
    run.add_argument(
        "--inline", action="store_true", help="run in this process, not on a worker"
    )
    command(
        j, "cancel", _jobs_cancel, help="cancel a queued or running run"
    ).add_argument("id", type=int)

    backups = group(groups, "backups", help="tenant backups, restores and drills")
    b = backups.add_subparsers(title="backup commands", parser_class=type(backups))
    command(b, "list", _backups_list, help="list a tenant's backups").add_argument(
        "slug"
    )
    take = command(b, "run", _backups_run, help="back up a tenant now")
    take.add_argument("slug")
    take.add_argument("--inline", action="store_true", help="run in this process")
    restore = command(
        b, "restore", _backups_restore, help="restore a backup as a NEW tenant"
    )
    restore.add_argument("slug", help="the tenant the backup was taken of")
    restore.add_argument("--at", required=True, help="backup label or id, or 'latest'")
    restore.add_argument("--as", dest="new_slug", required=True, help="new tenant slug")
    restore.add_argument("--domain", help="host for the new tenant")
    promote = command(
        b,
        "promote",
        _backups_promote,
        help="replace a live tenant's data with a verified restore",
    )
    promote.add_argument("restored_slug", help="the tenant made by 'backups restore'")
    promote.add_argument(
        "--replace", dest="live_slug", required=True, help="the live tenant's slug"
    )
    promote.add_argument("--yes", action="store_true", help="do not ask to confirm")
    replaced = command(
        b,
        "drop-replaced",
        _backups_drop_replaced,
        help="drop the schemas that promotes over a tenant kept aside",
    )
    replaced.add_argument("slug", help="the live tenant promoted over")
    replaced.add_argument("--yes", action="store_true", help="do not ask to confirm")
    drill = command(b, "drill", _backups_drill, help="restore-test the latest backup")
    drill.add_argument("slug")
    drill.add_argument("--inline", action="store_true", help="run in this process")
    command(b, "new-key", _backups_new_key, help="print a new OPSYN_BACKUP_KEY")


def _jobs_list(args: argparse.Namespace) -> None:
    from shared_apps.jobs.selectors import runs_listed

    if args.limit < 1:
        raise CommandError("--limit must be at least 1")
    if args.tenant:
        from shared_apps.tenants.selectors import tenant_by_slug

        tenant_by_slug(args.tenant)  # an unknown slug is refused, not "no runs"
    runs = list(
        runs_listed(slug=args.tenant, kind=args.kind, status=args.status)[: args.limit]
    )
    rows = [_describe_run(run) for run in runs]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    if not rows:
        print("no runs")
        return
    for row in rows:
        print(
            f"#{row['id']:<6} {row['tenant']:<20} {row['kind']:<10} "
            f"{row['status']:<10} attempt {row['attempt']}  {row['created_at']}"
            + (f"  {row['error'][:60]}" if row["error"] else "")
        )


def _describe_run(run: Any) -> dict[str, Any]:
    return {
        "id": run.pk,
        "tenant": run.tenant.slug,
        "kind": run.kind,
        "trigger": run.trigger,
        "status": run.status,
        "attempt": run.attempt,
        "max_attempts": run.max_attempts,
        "created_at": run.created_at.isoformat(timespec="seconds"),
        "started_at": run.started_at and run.started_at.isoformat(timespec="seconds"),
        "finished_at": run.finished_at
        and run.finished_at.isoformat(timespec="seconds"),
        "progress": [run.progress_done, run.progress_total, run.progress_unit],
        "error": run.error,
        "result": run.result,
    }


def _jobs_show(args: argparse.Namespace) -> None:
    from shared_apps.jobs.selectors import run_by_id

    for key, value in _describe_run(run_by_id(args.id)).items():
        shown = json.dumps(value) if isinstance(value, dict | list) else value
        print(f"{key:<13} {shown if shown not in (None, '') else '-'}")


def _run(kind: str, slug: str, inline: bool) -> int:
    from shared_apps.jobs import services
    from shared_apps.jobs.selectors import run_by_id
    from shared_apps.tenants.activation import tenant_scope
    from shared_apps.tenants.selectors import tenant_by_slug

    tenant = tenant_by_slug(slug)
    run = services.request_run(
        actor=_actor(), tenant=tenant, kind=kind, send=not inline
    )
    if not inline:
        print(f"queued {kind} run #{run.pk} for {slug}")
        return 0
    with tenant_scope(tenant):
        outcome = services.execute_run(run_id=run.pk)
    done = run_by_id(run.pk)
    print(f"{kind} run #{run.pk} for {slug}: {done.status}")
    if done.result:
        print(json.dumps(done.result))
    if outcome != "succeeded":
        raise CommandError(f"run #{run.pk} {outcome}: {done.error or 'see the log'}")
    return 0


def _jobs_run(args: argparse.Namespace) -> int:
    return _run(args.kind, args.slug, args.inline)


def _jobs_cancel(args: argparse.Namespace) -> None:
    from shared_apps.jobs import services

    run = services.cancel_run(actor=_actor(), run_id=args.id)
    state = "cancelled" if run.status == "cancelled" else "asked to stop"
    print(f"run #{run.pk} {state}")


def _backups_list(args: argparse.Namespace) -> None:
    from shared_apps.backups.selectors import backups_of
    from shared_apps.tenants.selectors import tenant_by_slug

    backups = list(backups_of(args.slug))
    if not backups:
        tenant_by_slug(args.slug)
        print(f"no backups of {args.slug}")
        return
    for backup in backups:
        print(
            f"{backup.label:<45} {backup.status:<9} {backup.reason:<11} "
            f"{backup.table_count:>3} tables {backup.row_count:>9} rows "
            f"{backup.size_bytes:>11} bytes"
            + ("  encrypted" if backup.encrypted else "")
        )


def _backups_run(args: argparse.Namespace) -> int:
    return _run("backup", args.slug, args.inline)


def _backups_drill(args: argparse.Namespace) -> int:
    return _run("drill", args.slug, args.inline)


def _backups_restore(args: argparse.Namespace) -> None:
    from shared_apps.backups import services

    restore = services.restore_backup(
        actor=_actor(),
        slug=args.slug,
        at=args.at,
        new_slug=args.new_slug,
        domain=args.domain,
    )
    report = restore.report
    print(
        f"restored {restore.backup_label} as {restore.target_slug} "
        f"(schema {restore.target_schema}): verified {report['tables']} tables, "
        f"{report['rows']} rows; counts and checksums match the manifest"
    )
    if not report.get("audit_chain", {}).get("checked"):
        print("audit chain: not checked (no verifier available)")


def _backups_promote(args: argparse.Namespace) -> None:
    from shared_apps.backups import services
    from shared_apps.tenants.selectors import tenant_by_slug

    # Refuse a missing tenant before asking anything.
    tenant_by_slug(args.restored_slug)
    tenant_by_slug(args.live_slug)
    if not args.yes:
        if not sys.stdin.isatty():
            raise CommandError(
                f"refusing to replace {args.live_slug} without confirmation; pass --yes"
            )
        answer = input(
            f"Replace {args.live_slug}'s data with {args.restored_slug}? "
            "Type the live slug: "
        )
        if answer.strip() != args.live_slug:
            raise CommandError("not confirmed; nothing was changed")
    restore = services.promote_restore(
        actor=_actor(), restored_slug=args.restored_slug, live_slug=args.live_slug
    )
    print(
        f"promoted {args.restored_slug} over {args.live_slug}; backed up first as "
        f"{restore.report['backup_before_promote']}; the previous schema is kept "
        f"as {restore.report['previous_schema_kept_as']}"
    )


def _backups_new_key(args: argparse.Namespace) -> None:
    from shared_apps.backups.crypto import new_key

    print(new_key())


def _backups_drop_replaced(args: argparse.Namespace) -> None:
    from shared_apps.backups.services import drop_replaced_schemas
    from shared_apps.tenants.selectors import tenant_by_slug

    tenant = tenant_by_slug(args.slug)
    if not args.yes:
        if not sys.stdin.isatty():
            raise CommandError(
                f"refusing to drop {tenant.slug}'s replaced data without "
                "confirmation; pass --yes"
            )
        answer = input(
            f"Drop the data promotes over {tenant.slug} replaced? Type the slug: "
        )
        if answer.strip() != tenant.slug:
            raise CommandError("not confirmed; nothing was dropped")
    dropped = drop_replaced_schemas(actor=_actor(), tenant=tenant)
    print(f"dropped {', '.join(dropped)}" if dropped else "no replaced schemas to drop")
