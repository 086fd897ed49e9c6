"""The operators' CLI: each command, and one readable line on refusal."""

from __future__ import annotations

import io
import json

import pytest

from opsyn.cli import main
from shared_apps.tenants.models import Domain, Tenant

pytestmark = pytest.mark.django_db


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_create_list_suspend_resume_delete(capsys, unique_slug: str) -> None:
    host = f"{unique_slug}.example.test"
    code, out, _ = run(
        capsys,
        "tenants",
        "create",
        "--name",
        "Echo",
        "--slug",
        unique_slug,
        "--domain",
        host.upper(),
        "--region",
        "westeurope",
    )
    assert code == 0
    assert f"provisioned {unique_slug}" in out and host in out

    code, out, _ = run(capsys, "tenants", "list", "--json")
    listed = {row["slug"]: row for row in json.loads(out)}
    assert listed[unique_slug]["domains"] == [host]
    assert listed[unique_slug]["region"] == "westeurope"

    code, out, _ = run(capsys, "tenants", "list")
    assert out.splitlines()[0].split()[:3] == ["SLUG", "STATUS", "REGION"]
    assert any(line.startswith(unique_slug) for line in out.splitlines())

    assert run(capsys, "tenants", "suspend", unique_slug)[0] == 0
    assert Tenant.objects.get(slug=unique_slug).status == "suspended"
    assert run(capsys, "tenants", "resume", unique_slug)[0] == 0
    assert Tenant.objects.get(slug=unique_slug).status == "active"

    code, out, _ = run(capsys, "tenants", "delete", unique_slug, "--yes")
    assert code == 0
    assert not Tenant.objects.filter(slug=unique_slug).exists()


def test_domains_commands(capsys, unique_slug: str) -> None:
    run(
        capsys,
        "tenants",
        "create",
        "--name",
        "Fox",
        "--slug",
        unique_slug,
        "--domain",
        f"{unique_slug}.example.test",
    )

    assert run(capsys, "domains", "add", unique_slug, "www.fox.example.test")[0] == 0
    assert run(capsys, "domains", "set-primary", "www.fox.example.test")[0] == 0
    code, _, err = run(capsys, "domains", "remove", "www.fox.example.test")
    assert code == 1
    assert err.strip() == (
        "opsyn: 'www.fox.example.test' is the primary domain of "
        f"'{unique_slug}'; make another domain primary first."
    )
    assert run(capsys, "domains", "remove", f"{unique_slug}.example.test")[0] == 0
    assert list(
        Domain.objects.filter(tenant__slug=unique_slug).values_list("domain", flat=True)
    ) == ["www.fox.example.test"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            [
                "tenants",
                "create",
                "--name",
                "X",
                "--slug",
                "Bad Slug",
                "--domain",
                "x.example.test",
            ],
            "Slug 'Bad Slug' is not valid",
        ),
        (
            [
                "tenants",
                "create",
                "--name",
                "X",
                "--slug",
                "okay",
                "--domain",
                "not a host",
            ],
            "is not a valid host name",
        ),
        (
            [
                "tenants",
                "create",
                "--name",
                "X",
                "--slug",
                "okay",
                "--domain",
                "x.example.test",
                "--region",
                "mars",
            ],
            "Region 'mars' is not offered",
        ),
        (["tenants", "suspend", "nobody"], "No tenant with slug 'nobody'."),
        (["tenants", "delete", "nobody", "--yes"], "No tenant with slug 'nobody'."),
        (["domains", "remove", "nowhere.example.test"], "No tenant uses domain"),
        (["domains", "add", "nobody", "x.example.test"], "No tenant with slug"),
    ],
)
def test_refusals_are_one_line_and_exit_1(capsys, argv, message) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("opsyn: ") and message in err
    assert "Traceback" not in err


def test_delete_without_confirmation_refuses_when_not_interactive(
    capsys, unique_slug: str, monkeypatch
) -> None:
    run(
        capsys,
        "tenants",
        "create",
        "--name",
        "Keep",
        "--slug",
        unique_slug,
        "--domain",
        f"{unique_slug}.example.test",
    )
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    code, _, err = run(capsys, "tenants", "delete", unique_slug)

    assert code == 1
    assert "without confirmation; pass --yes" in err
    assert Tenant.objects.filter(slug=unique_slug).exists()


def test_delete_takes_the_slug_piped_on_stdin_as_confirmation(
    capsys, unique_slug: str, monkeypatch
) -> None:
    run(
        capsys,
        "tenants",
        "create",
        "--name",
        "Piped",
        "--slug",
        unique_slug,
        "--domain",
        f"{unique_slug}.example.test",
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong-slug\n"))
    code, _, err = run(capsys, "tenants", "delete", unique_slug)
    assert code == 1 and "not confirmed" in err
    assert Tenant.objects.filter(slug=unique_slug).exists()

    monkeypatch.setattr("sys.stdin", io.StringIO(f"{unique_slug}\n"))
    code, out, _ = run(capsys, "tenants", "delete", unique_slug)
    assert code == 0 and f"deleted {unique_slug}" in out
    assert not Tenant.objects.filter(slug=unique_slug).exists()


def test_delete_asks_and_keeps_data_on_a_wrong_answer(
    capsys, unique_slug: str, monkeypatch
) -> None:
    run(
        capsys,
        "tenants",
        "create",
        "--name",
        "Ask",
        "--slug",
        unique_slug,
        "--domain",
        f"{unique_slug}.example.test",
    )
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "something-else")

    code, _, err = run(capsys, "tenants", "delete", unique_slug)

    assert code == 1 and "not confirmed" in err
    assert Tenant.objects.filter(slug=unique_slug).exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["tenants", "create", "--name", "X"],
        ["nonsense"],
        ["tenants", "pause"],
        ["migrate", "--jobs", "0"],
        ["migrate", "--jobs", "many"],
    ],
)
def test_usage_mistakes_exit_2_with_one_line(capsys, argv) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    _, err = capsys.readouterr()
    assert exit_info.value.code == 2
    assert len(err.strip().splitlines()) == 1


def test_a_bare_group_prints_its_help(capsys) -> None:
    code, out, _ = run(capsys, "tenants")
    assert code == 2
    assert "create" in out and "suspend" in out


def test_create_operator_reads_a_piped_password(capsys, monkeypatch) -> None:
    import io

    from shared_apps.accounts.models import User

    monkeypatch.setattr("sys.stdin", io.StringIO("a long and unusual passphrase 7\n"))
    code, out, _ = run(capsys, "accounts", "create-operator", "Ops@Example.com")

    assert code == 0 and "created operator ops@example.com (platform_admin)" in out
    user = User.objects.get(email="ops@example.com")
    assert user.is_staff
    assert user.check_password("a long and unusual passphrase 7")
    from shared_apps.operators.models import OperatorRole

    assert OperatorRole.objects.get(user=user).role == "platform_admin"


def test_create_operator_refuses_an_unknown_role_and_creates_nothing(
    capsys, monkeypatch
) -> None:
    import io

    from shared_apps.accounts.models import User

    monkeypatch.setattr("sys.stdin", io.StringIO("a long and unusual passphrase 7\n"))
    code, _, err = run(
        capsys, "accounts", "create-operator", "ops2@example.com", "--role", "root"
    )

    assert code == 1 and "Global role 'root' does not exist" in err
    assert not User.objects.filter(email="ops2@example.com").exists()


def test_create_operator_without_a_password_is_one_line(capsys, monkeypatch) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = run(capsys, "accounts", "create-operator", "ops@example.com")

    assert code == 1
    assert err.strip() == "opsyn: no password given on standard input"
