"""``opsyn incidents``: the incident register from the command line."""

from __future__ import annotations

import argparse
from typing import Any

from opsyn.cli import _actor


def register(groups: Any, command: Any, group: Any) -> None:
    incidents = group(groups, "incidents", help="the incident register")
    i = incidents.add_subparsers(
        title="incident commands", parser_class=type(incidents)
    )
    opened = command(i, "open", _open, help="record a new incident")
    opened.add_argument("--title", required=True)
    opened.add_argument("--severity", required=True, help="sev1, sev2, sev3 or sev4")
    opened.add_argument("--tenant", action="append", default=[], help="affected slug")
    opened.add_argument("--personal-data", action="store_true")
    command(i, "list", _list, help="list incidents")
    notify = command(i, "notified", _notified, help="record that customers were told")
    notify.add_argument("id", type=int)
    resolve = command(i, "resolve", _resolve, help="mark an incident resolved")
    resolve.add_argument("id", type=int)
    close = command(i, "close", _close, help="close with a post-incident review")
    close.add_argument("id", type=int)
    close.add_argument("--review", default="")
    command(i, "overdue", _overdue, help="personal-data incidents past 72 hours")


def _open(args: argparse.Namespace) -> None:
    from shared_apps.incidents import services

    incident = services.open_incident(
        actor=_actor(),
        title=args.title,
        severity=args.severity,
        tenant_slugs=args.tenant,
        personal_data=args.personal_data,
    )
    line = f"opened incident {incident.pk} ({incident.severity})"
    if incident.personal_data:
        line += (
            f"; notify affected customers by {incident.notify_by:%Y-%m-%d %H:%M} UTC"
        )
    print(line)


def _list(args: argparse.Namespace) -> None:
    from shared_apps.incidents.selectors import incidents_listed

    for incident in incidents_listed():
        tenants = ",".join(t.slug for t in incident.tenants.all()) or "-"
        print(
            f"{incident.pk}  {incident.severity}  {incident.status:9}  "
            f"{incident.detected_at:%Y-%m-%d %H:%M}  {tenants}  {incident.title}"
        )


def _notified(args: argparse.Namespace) -> None:
    from shared_apps.incidents import services

    services.record_customer_notice(actor=_actor(), incident_id=args.id)
    print(f"incident {args.id}: customers recorded as notified")


def _resolve(args: argparse.Namespace) -> None:
    from shared_apps.incidents import services

    services.resolve_incident(actor=_actor(), incident_id=args.id)
    print(f"incident {args.id}: resolved")


def _close(args: argparse.Namespace) -> None:
    from shared_apps.incidents import services

    services.close_incident(actor=_actor(), incident_id=args.id, review=args.review)
    print(f"incident {args.id}: closed")


def _overdue(args: argparse.Namespace) -> int:
    from shared_apps.incidents.selectors import overdue_notices

    overdue = list(overdue_notices())
    for incident in overdue:
        due = incident.notify_by
        print(f"{incident.pk}  notice overdue since {due}  {incident.title}")
    return 1 if overdue else 0
