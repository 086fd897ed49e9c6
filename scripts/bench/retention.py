"""Retention: delete a million expired rows in one tenant while it serves.

One tenant gets ``--rows`` contacts last touched 400 days ago (plus a
thousand recent ones) and a policy that deletes contacts untouched for 30
days. The tenant's page (its newest 50 contacts, through the platform's
middleware and host routing, in this process) is timed idle, then again
while ``enforce_policy`` purges in a second thread on its own connection.
Prints rows per second, the longest single transaction (each batch is
one; target at most 50 ms) and page latency during the purge against idle.
Every delete goes through the contacts table's audit triggers, as in
production; the rows are loaded with triggers off.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from django.http import HttpRequest, HttpResponse
from django.urls import path

from scripts.bench import benchlib

TARGET_MS = 50.0
HOST = "acme.bench.test"


def newest_contacts(request: HttpRequest) -> HttpResponse:
    """Answer with the tenant's newest 50 contacts."""
    from tenant_apps.contacts.models import Contact

    names = list(Contact.objects.order_by("-id").values_list("name", flat=True)[:50])
    return HttpResponse("<!doctype html><ul>" + "".join(f"<li>{n}" for n in names))


urlpatterns = [path("contacts", newest_contacts)]


def main() -> int:
    parser = benchlib.parser("retention", __doc__ or "")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--idle-requests", type=int, default=300)
    args = parser.parse_args()

    with benchlib.scratch_database(args.database):
        figures = _measure(args.rows, args.idle_requests)

    longest = figures["longest_ms"]
    ratio = figures["during_ms"] / figures["idle_ms"]
    benchlib.result(
        f"retention: {figures['rows']} rows in {figures['seconds']:.1f} s "
        f"({figures['rows'] / figures['seconds']:.0f} rows/s, "
        f"{figures['batches']} batches, mean "
        f"{figures['seconds'] * 1000 / max(1, figures['batches']):.1f} ms), "
        f"longest transaction {longest:.1f} ms "
        f"(target <= {TARGET_MS:g} ms, {benchlib.verdict(longest <= TARGET_MS)}); "
        f"page median {figures['idle_ms']:.1f} ms idle, {figures['during_ms']:.1f} ms "
        f"during the purge ({ratio:.2f}x; p95 {figures['idle_p95']:.1f} -> "
        f"{figures['during_p95']:.1f} ms, {figures['served']} pages served)"
    )
    return 0


def _measure(rows: int, idle_requests: int) -> dict[str, Any]:
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import override_settings

    from shared_apps.tenants import schemas, services
    from shared_apps.tenants.activation import tenant_scope
    from tenant_apps.retention import services as retention
    from tenant_apps.retention.models import RetentionReceipt

    schemas.fill_pool(1)
    tenant = services.provision_tenant(
        actor="bench", name="Acme", slug="acme", domain=HOST
    )
    benchlib.progress(f"retention: loading {rows} expired contacts (untimed)")
    with tenant_scope(tenant), connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        for old, count in ((True, rows), (False, 1000)):
            age = "400 days" if old else "1 day"
            cursor.execute(
                "INSERT INTO contacts_contact (name, email, phone, organisation, "
                "notes, created_at, updated_at) SELECT 'Person ' || g, "
                "'p' || g || '@example.com', '', 'Org', '', now() - %s::interval, "
                "now() - %s::interval FROM generate_series(1, %s) g",
                [age, age, count],
            )
        cursor.execute("SET session_replication_role = origin")
        cursor.execute("ANALYZE contacts_contact")
        retention.update_policy(
            actor_id=None, contacts_days=30, contacts_action="delete"
        )

    handler: Any = WSGIHandler()
    environ = RequestFactory().get("/contacts", HTTP_HOST=HOST).environ

    def serve() -> float:
        start = time.perf_counter()
        response = handler(dict(environ), lambda status, headers: None)
        b"".join(response)
        response.close()
        return (time.perf_counter() - start) * 1000

    summary: dict[str, Any] = {}

    def purge() -> None:
        try:
            with tenant_scope(tenant):
                start = time.perf_counter()
                retention.enforce_policy()
                summary["seconds"] = time.perf_counter() - start
        finally:
            connection.close()

    with override_settings(ROOT_URLCONF=__name__):
        for _ in range(50):
            serve()
        idle = [serve() for _ in range(idle_requests)]
        benchlib.progress(
            f"retention: idle page median {statistics.median(idle):.1f} ms"
        )
        worker = threading.Thread(target=purge)
        worker.start()
        during: list[float] = []
        while worker.is_alive():
            during.append(serve())
        worker.join()

    with tenant_scope(tenant):
        receipt = RetentionReceipt.objects.get(category="contacts")
    return {
        "rows": receipt.rows_removed,
        "batches": receipt.batches,
        "longest_ms": receipt.longest_batch_ms,
        "seconds": summary["seconds"],
        "idle_ms": statistics.median(idle),
        "idle_p95": _p95(idle),
        "during_ms": statistics.median(during),
        "during_p95": _p95(during),
        "served": len(during),
    }


def _p95(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.95) - 1 if len(samples) > 1 else 0]


if __name__ == "__main__":
    sys.exit(main())
