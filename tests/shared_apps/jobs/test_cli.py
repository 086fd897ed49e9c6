"""``opsyn jobs`` and ``opsyn backups``: results on stdout, one-line refusals."""

from __future__ import annotations

import json

import pytest

from opsyn.cli import main
from shared_apps.backups.models import Backup
from shared_apps.jobs.models import JobRun


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_backup_inline_then_list_restore_and_show_the_run(
    capsys, scratch_tenants, backup_dir
) -> None:
    tenant = scratch_tenants.provision(contacts=["Ada"])

    code, out, err = run(capsys, "backups", "run", tenant.slug, "--inline")
    assert code == 0, err
    assert "backup run #" in out and ": succeeded" in out
    label = Backup.objects.get(tenant=tenant).label

    code, out, _ = run(capsys, "backups", "list", tenant.slug)
    assert out.startswith(label) and "complete" in out

    new_slug = f"{tenant.slug}-r"
    scratch_tenants.remember(new_slug)
    code, out, err = run(
        capsys, "backups", "restore", tenant.slug, "--at", label, "--as", new_slug
    )
    assert code == 0, err
    assert f"restored {label} as {new_slug}" in out
    assert "counts and checksums match the manifest" in out

    run_id = JobRun.objects.get(tenant=tenant).pk
    code, out, _ = run(capsys, "jobs", "list", "--tenant", tenant.slug, "--json")
    assert [row["id"] for row in json.loads(out)] == [run_id]
    code, out, _ = run(capsys, "jobs", "show", str(run_id))
    assert "status        succeeded" in out


def test_refusals_are_one_line_and_exit_1(capsys, scratch_tenants, backup_dir) -> None:
    tenant = scratch_tenants.provision()

    code, _, err = run(
        capsys, "backups", "restore", tenant.slug, "--at", "latest", "--as", "x-new"
    )
    assert code == 1
    assert err == f"opsyn: No backup 'latest' of tenant {tenant.slug!r}.\n"

    code, _, err = run(capsys, "jobs", "show", "987654321")
    assert (code, err) == (1, "opsyn: No job run #987654321.\n")

    code, _, err = run(capsys, "backups", "promote", tenant.slug, "--replace", "zz")
    assert (code, err) == (1, "opsyn: No tenant with slug 'zz'.\n")

    code, _, err = run(
        capsys, "backups", "promote", tenant.slug, "--replace", tenant.slug
    )
    assert code == 1 and err.count("\n") == 1 and "--yes" in err


def test_usage_mistakes_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["backups", "restore", "alpha"])
    assert exit_info.value.code == 2
    assert "--at" in capsys.readouterr().err
