"""Permission filtering: a contacts list page for own scope versus admin.

The tenant holds 1,000 contacts, all created by one member, so both actors
see exactly the same rows and the same rendered page; only the permission
work differs. The admin's role reaches every contact (no filter); the
other member holds a custom role whose grants on contacts are "own", so
the policy reads the role's grants and adds ``created_by_id = <user>`` to
the list, the count and the page query. Both are served by Django's test
client in this process, through the whole middleware stack, signed in
with a real session; requests alternate in rounds so drift falls on both.
The line printed also gives the number of queries per request for each.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.bench import benchlib

TARGET_PERCENT = 10.0
HOST = "acme.bench.test"
PASSWORD = "bench password that is long 7"
CONTACTS = 1000


def main() -> int:
    parser = benchlib.parser("permissions", __doc__ or "")
    parser.add_argument("--requests", type=int, default=600, help="timed per actor")
    parser.add_argument("--rounds", type=int, default=20, help="alternations")
    parser.add_argument("--warmup", type=int, default=50, help="untimed per actor")
    parser.add_argument("--contacts", type=int, default=CONTACTS)
    args = parser.parse_args()

    with benchlib.scratch_database(args.database):
        from django.test.utils import override_settings

        with override_settings(
            OPSYN_TWO_FACTOR_EXEMPT_EMAILS=(
                "admin@bench.example.com",
                "own@bench.example.com",
            )
        ):
            own, admin, own_queries, admin_queries = _measure(args)

    own_median = benchlib.median(own)
    admin_median = benchlib.median(admin)
    added = (own_median / admin_median - 1) * 100
    benchlib.result(
        f"permissions: own-scope median {benchlib.ms(own_median)}, "
        f"admin median {benchlib.ms(admin_median)}, {added:+.1f}% added latency "
        f"(target < {TARGET_PERCENT:g}%, {benchlib.verdict(added < TARGET_PERCENT)}; "
        f"queries per request: own-scope {own_queries}, admin {admin_queries}; "
        f"{args.contacts} contacts, {len(own)} requests each)"
    )
    return 0


def _measure(args: Any) -> tuple[list[float], list[float], int, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from shared_apps.accounts.models import User
    from shared_apps.tenants import schemas, services
    from shared_apps.tenants.activation import tenant_scope, use_public
    from tenant_apps.access.models import Grant, Role
    from tenant_apps.contacts.models import Contact
    from tenant_apps.members.services import add_member

    schemas.fill_pool(1)
    tenant = services.provision_tenant(
        actor="bench", name="Acme", slug="acme", domain=HOST
    )
    admin_user = User.objects.create_user("admin@bench.example.com", PASSWORD)
    own_user = User.objects.create_user("own@bench.example.com", PASSWORD)
    User.objects.filter(pk__in=[admin_user.pk, own_user.pk]).update(
        **_verified(User, timezone.now())
    )
    with tenant_scope(tenant):
        add_member(actor="bench", user=admin_user, role="admin")
        membership = add_member(actor="bench", user=own_user, role="viewer")
        role = Role.objects.create(key="own-contributor", name="Own contributor")
        Grant.objects.bulk_create(
            Grant(role=role, entity="contacts.contact", action=a, scope="own")
            for a in ("view", "create", "change", "delete")
        )
        membership.role = role.key
        membership.save(update_fields=["role"])
        Contact.objects.bulk_create(
            Contact(name=f"Contact {n:04d}", created_by_id=own_user.pk)
            for n in range(args.contacts)
        )
    use_public()

    clients = {}
    for name, email in (("own", own_user.email), ("admin", admin_user.email)):
        client = Client(HTTP_HOST=HOST)
        answer = client.post("/sign-in/", {"username": email, "password": PASSWORD})
        if answer.status_code != 302:
            raise SystemExit(f"permissions: {email} could not sign in")
        clients[name] = client

    queries = {}
    for name, client in clients.items():
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/contacts/")
        body = page.content.decode()
        if page.status_code != 200 or f"{args.contacts} contacts" not in body:
            raise SystemExit(f"permissions: {name} list page was not the same page")
        queries[name] = len(captured)

    def serve(name: str, count: int) -> list[float]:
        client = clients[name]
        samples = []
        for _ in range(count):
            start = time.perf_counter()
            client.get("/contacts/")
            samples.append(time.perf_counter() - start)
        return samples

    serve("own", args.warmup)
    serve("admin", args.warmup)
    own: list[float] = []
    admin: list[float] = []
    rounds = max(1, args.rounds)
    per_round = max(1, args.requests // rounds)
    for number in range(rounds):
        first, second = ("own", "admin") if number % 2 else ("admin", "own")
        for name in (first, second):
            (own if name == "own" else admin).extend(serve(name, per_round))
    benchlib.progress(f"permissions: {len(own)} requests served for each actor")
    return own, admin, queries["own"], queries["admin"]


def _verified(user_model: Any, now: Any) -> dict[str, Any]:
    fields = {f.name for f in user_model._meta.get_fields()}
    return {"email_verified_at": now} if "email_verified_at" in fields else {}


if __name__ == "__main__":
    raise SystemExit(main())
