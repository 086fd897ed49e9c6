"""Backup: one tenant's backup time with 1 tenant in the database vs many.

The tenant-scoped exporter (``shared_apps.backups``) reads the catalog by
the tenant's namespace and copies its tables in one REPEATABLE READ
snapshot; ``pg_dump --schema`` reads the whole catalog, so it slows down as
schemas are added. This benchmark times both for the same tenant (with
``--rows`` contacts), first with only that tenant in the database, then
after adding tenants until there are ``--tenants`` in all, and prints each
method's ratio (many / one). Target for the exporter: at most 1.5x.

The extra tenants get the first tenant's full schema (every table, index,
sequence, function and trigger) rebuilt from its exported definition
(``--fill copy``, the default, seconds per hundred), or are provisioned
from the prepared-schema pool by running the migrations (``--fill pool``,
minutes for 2,000). Either way the catalog holds the same objects.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.bench import benchlib

TARGET = 1.5


def main() -> int:
    parser = benchlib.parser("backup", __doc__ or "")
    parser.add_argument("--tenants", type=int, default=2000, help="tenants in all")
    parser.add_argument("--rows", type=int, default=20000, help="contacts to back up")
    parser.add_argument("--repeats", type=int, default=5, help="timed backups each")
    parser.add_argument("--fill", choices=["copy", "pool"], default="copy")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="opsyn-bench-backup-"))
    os.environ["OPSYN_BACKUP_DIR"] = str(folder)
    os.environ["OPSYN_BACKUP_KEY"] = ""
    try:
        with benchlib.scratch_database(args.database):
            results = _measure(args.tenants, args.rows, args.repeats, args.fill)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    exporter_one, exporter_many, dump_one, dump_many = results
    ratio = exporter_many / exporter_one
    line = (
        f"backup: exporter median {benchlib.ms(exporter_one)} with 1 tenant, "
        f"{benchlib.ms(exporter_many)} with {args.tenants}, {ratio:.2f}x "
        f"(target <= {TARGET:g}x, {benchlib.verdict(ratio <= TARGET)}; "
        f"{args.rows} rows)"
    )
    benchlib.result(line)
    if dump_one and dump_many:
        benchlib.result(
            f"backup: pg_dump --schema median {benchlib.ms(dump_one)} with 1 tenant, "
            f"{benchlib.ms(dump_many)} with {args.tenants}, "
            f"{dump_many / dump_one:.2f}x (for comparison)"
        )
    return 0


def _measure(
    tenants: int, rows: int, repeats: int, fill: str
) -> tuple[float, float, float | None, float | None]:
    from django.db import connection

    from shared_apps.tenants import schemas, services

    schemas.fill_pool(1)
    tenant = services.provision_tenant(
        actor="bench", name="Acme", slug="acme", domain="acme.bench.test"
    )
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            f'INSERT INTO "{tenant.schema_name}".contacts_contact (name, email, '
            "phone, organisation, notes, created_at, updated_at) SELECT "
            "'Person ' || g, 'p' || g || '@example.com', '', 'Org', 'notes', "
            "now(), now() FROM generate_series(1, %s) g",
            [rows],
        )
        cursor.execute("SET session_replication_role = origin")
        cursor.execute(f'ANALYZE "{tenant.schema_name}".contacts_contact')

    exporter_one = _time_exporter(tenant, repeats)
    dump_one = _time_pg_dump(tenant.schema_name, repeats)
    benchlib.progress(f"backup: 1 tenant: exporter {benchlib.ms(exporter_one)}")

    _add_tenants(tenant, tenants - 1, fill)
    exporter_many = _time_exporter(tenant, repeats)
    dump_many = _time_pg_dump(tenant.schema_name, repeats)
    return exporter_one, exporter_many, dump_one, dump_many


def _time_exporter(tenant: Any, repeats: int) -> float:
    from shared_apps.backups import services

    services.take_backup(actor="bench", tenant=tenant)  # warm-up, untimed
    samples = [
        benchlib.timed(lambda: services.take_backup(actor="bench", tenant=tenant))
        for _ in range(repeats)
    ]
    return benchlib.median(samples)


def _time_pg_dump(schema: str, repeats: int) -> float | None:
    binary = shutil.which("pg_dump")
    if binary is None:
        benchlib.progress("backup: pg_dump not found; comparing the exporter only")
        return None
    url = os.environ["DATABASE_URL"]
    samples = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        # Plain SQL to a pipe: no file to fsync, every byte still produced.
        subprocess.run(
            [binary, "--schema", schema, url],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        samples.append(time.perf_counter() - start)
    return benchlib.median(samples[1:])


def _add_tenants(template: Any, count: int, fill: str) -> None:
    from shared_apps.backups import snapshot
    from shared_apps.tenants import schemas, services
    from shared_apps.tenants.models import Domain, Tenant, TenantStatus

    started = time.perf_counter()
    if fill == "pool":
        for index in range(count):
            schemas.fill_pool(1)
            services.provision_tenant(
                actor="bench",
                name=f"T{index}",
                slug=f"t{index}",
                domain=f"t{index}.bench.test",
            )
            if index % 100 == 99:
                benchlib.progress(f"backup: {index + 1}/{count} tenants provisioned")
        return

    schema = template.schema_name
    with snapshot.own_connection() as raw:
        with snapshot.snapshot(raw, schema):
            namespace = snapshot.schema_oid(raw, schema)
            assert namespace is not None
            rels = snapshot.relations(raw, namespace)
            definition = snapshot.describe_schema(
                raw, schema, namespace, rels
            ).as_json()
        for index in range(count):
            snapshot.rebuild(
                raw, schema=f"t{index}", definition=definition, load=lambda: None
            )
            if index % 200 == 199:
                benchlib.progress(
                    f"backup: {index + 1}/{count} tenant schemas built "
                    f"({time.perf_counter() - started:.0f} s)"
                )
    made = Tenant.objects.bulk_create(
        Tenant(
            name=f"T{index}",
            slug=f"t{index}",
            schema_name=f"t{index}",
            status=TenantStatus.ACTIVE,
        )
        for index in range(count)
    )
    Domain.objects.bulk_create(
        Domain(tenant=tenant, domain=f"{tenant.slug}.bench.test", is_primary=True)
        for tenant in made
    )


if __name__ == "__main__":
    sys.exit(main())
