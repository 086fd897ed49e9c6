"""Global roles decide the operator console and the CLI."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from opsyn.cli import main
from shared_apps.accounts.models import User
from shared_apps.operators.models import GlobalRole, OperatorRole
from shared_apps.tenants.models import Tenant
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _account(email: str, role: str | None = None, **fields: bool) -> User:
    user = User.objects.create_user(email, PASSWORD, **fields)
    if role is not None:
        OperatorRole.objects.create(user=user, role=role, granted_by="test")
    return user


def _console_request(user: Any) -> Any:
    request: Any = RequestFactory().get("/console/", HTTP_HOST="localhost")
    request.user = user
    request.tenant = None
    return request


def _permissions(user: Any, model: type) -> dict[str, bool]:
    model_admin = admin.site._registry[model]
    request = _console_request(user)
    return {
        "enter": admin.site.has_permission(request),
        "view": model_admin.has_view_permission(request),
        "add": model_admin.has_add_permission(request),
        "change": model_admin.has_change_permission(request),
        "delete": model_admin.has_delete_permission(request),
    }


def test_console_rights_follow_the_global_role() -> None:
    admin_user = _account("padmin@ops.example.com", GlobalRole.PLATFORM_ADMIN)
    support = _account("support@ops.example.com", GlobalRole.SUPPORT)
    staff_without_role = _account("staff@ops.example.com", is_staff=True)
    bootstrap = _account("root@ops.example.com", is_superuser=True)

    everything = dict.fromkeys(("enter", "view", "add", "change", "delete"), True)
    assert _permissions(admin_user, Tenant) == everything
    assert _permissions(bootstrap, Tenant) == everything
    assert _permissions(support, Tenant) == {
        "enter": True,
        "view": True,
        "add": False,
        "change": False,
        "delete": False,
    }
    assert not any(_permissions(staff_without_role, Tenant).values())
    assert not any(_permissions(AnonymousUser(), Tenant).values())


def test_an_admin_page_keeps_its_own_stricter_rule() -> None:
    from shared_apps.tenants.models import PreparedSchema

    admin_user = _account("padmin@ops.example.com", GlobalRole.PLATFORM_ADMIN)
    rights = _permissions(admin_user, PreparedSchema)
    assert rights["view"] and not rights["add"] and not rights["change"]


def test_the_platform_audit_log_is_readable_in_the_console_and_never_editable() -> None:
    from shared_apps.audit.models import PlatformEvent, PurgeReceipt

    admin_user = _account("padmin@ops.example.com", GlobalRole.PLATFORM_ADMIN)
    support = _account("support@ops.example.com", GlobalRole.SUPPORT)
    read_only = {
        "enter": True,
        "view": True,
        "add": False,
        "change": False,
        "delete": False,
    }

    for model in (PlatformEvent, PurgeReceipt):
        assert _permissions(admin_user, model) == read_only
        assert _permissions(support, model) == read_only


def test_an_operator_reads_a_tenant_creation_in_the_platform_log(
    unique_slug,
) -> None:
    from shared_apps.audit.models import PlatformEvent
    from shared_apps.tenants import services
    from tests.shared_apps.accounts.support import signed_in_operator

    services.provision_tenant(
        actor="test", name="Logged", slug=unique_slug, domain=f"{unique_slug}.test"
    )
    event = PlatformEvent.objects.filter(
        table_name="tenants_tenant", operation="INSERT"
    ).latest("id")
    client = signed_in_operator("padmin@ops.example.com")

    listing = client.get("/console/platform_audit/platformevent/")
    detail = client.get(f"/console/platform_audit/platformevent/{event.pk}/change/")

    assert listing.status_code == 200 and "tenants_tenant" in listing.content.decode()
    assert detail.status_code == 200 and unique_slug in detail.content.decode()


def test_support_never_sees_tenant_contacts_in_the_console() -> None:
    from tenant_apps.contacts.models import Contact

    assert Contact not in admin.site._registry


def run(capsys, monkeypatch, operator: str | None, *argv: str) -> tuple[int, str]:
    if operator is None:
        monkeypatch.delenv("OPSYN_OPERATOR", raising=False)
    else:
        monkeypatch.setenv("OPSYN_OPERATOR", operator)
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out + err


def test_the_cli_acts_as_the_named_operators_role(capsys, monkeypatch) -> None:
    _account("support@ops.example.com", GlobalRole.SUPPORT)

    code, out = run(capsys, monkeypatch, "support@ops.example.com", "tenants", "list")
    assert code == 0 and out.startswith("SLUG")

    code, out = run(
        capsys, monkeypatch, "support@ops.example.com", "tenants", "suspend", "x"
    )
    assert code == 1
    assert out.strip() == (
        "opsyn: cli:support@ops.example.com may not change platform.tenant "
        "(global role: support)"
    )


@pytest.mark.parametrize(
    ("argv", "allowed"),
    [
        (["jobs", "list"], True),
        (["incidents", "list"], True),
        (["jobs", "run", "backup", "x"], False),
        (["incidents", "open", "--title", "T", "--severity", "sev3"], False),
        (["audit", "export", "x"], False),
        (["identity", "end-session", "abc"], False),
    ],
)
def test_support_reads_jobs_and_incidents_but_changes_and_exports_nothing(
    capsys, monkeypatch, argv: list[str], allowed: bool
) -> None:
    _account("support@ops.example.com", GlobalRole.SUPPORT)

    code, out = run(capsys, monkeypatch, "support@ops.example.com", *argv)

    if allowed:
        assert code == 0, out
    else:
        assert code == 1
        assert "may not" in out and "(global role: support)" in out


def test_the_cli_refuses_an_unknown_or_roleless_operator(capsys, monkeypatch) -> None:
    _account("nobody@ops.example.com")

    code, out = run(capsys, monkeypatch, "ghost@ops.example.com", "tenants", "list")
    assert (code, out.strip()) == (
        1,
        "opsyn: OPSYN_OPERATOR 'ghost@ops.example.com' is not an operator account",
    )
    code, out = run(capsys, monkeypatch, "nobody@ops.example.com", "tenants", "list")
    assert (code, out.strip()) == (
        1,
        "opsyn: nobody@ops.example.com holds no global role; nothing is allowed",
    )


def test_unattended_cli_is_the_deployment_identity(capsys, monkeypatch) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "deploy")

    code, out = run(capsys, monkeypatch, None, "whoami")
    assert (code, out.strip()) == (0, "cli:deploy  platform_admin")


def test_operators_are_granted_and_revoked_from_the_cli(capsys, monkeypatch) -> None:
    _account("new@ops.example.com")

    code, out = run(
        capsys,
        monkeypatch,
        None,
        "operators",
        "grant",
        "new@ops.example.com",
        "support",
    )
    assert (code, out.strip()) == (0, "new@ops.example.com is now Support")
    assert User.objects.get(email="new@ops.example.com").is_staff
    code, out = run(capsys, monkeypatch, None, "operators", "list")
    assert "new@ops.example.com  support" in out

    code, out = run(
        capsys, monkeypatch, None, "operators", "grant", "new@ops.example.com", "god"
    )
    assert code == 1 and "Global role 'god' does not exist" in out

    code, out = run(
        capsys, monkeypatch, None, "operators", "revoke", "new@ops.example.com"
    )
    assert (code, out.strip()) == (0, "new@ops.example.com holds no global role")
    assert not OperatorRole.objects.filter(user__email="new@ops.example.com").exists()


def test_a_command_missing_from_the_map_needs_platform_administration(
    monkeypatch,
) -> None:
    import argparse

    from opsyn.cli import CommandError
    from opsyn.cli_access import gated

    ran = []

    def _unlisted(args: argparse.Namespace) -> None:
        ran.append(True)

    _account("support@ops.example.com", GlobalRole.SUPPORT)
    _account("padmin@ops.example.com", GlobalRole.PLATFORM_ADMIN)
    command = gated(_unlisted)

    monkeypatch.setenv("OPSYN_OPERATOR", "support@ops.example.com")
    with pytest.raises(CommandError, match=r"may not administer platform\.cli"):
        command(argparse.Namespace())
    monkeypatch.setenv("OPSYN_OPERATOR", "padmin@ops.example.com")
    command(argparse.Namespace())
    assert ran == [True]
