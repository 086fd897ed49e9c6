"""The demo that scripts/run makes: idempotent, and its sign-in always works."""

from __future__ import annotations

import pytest

from opsyn import demo, env
from shared_apps.accounts.models import RecoveryCode, TOTPDevice, User
from shared_apps.tenants.activation import tenant_scope
from shared_apps.tenants.models import Tenant
from tenant_apps.contacts.models import Contact
from tests.shared_apps.accounts.support import give_authenticator

pytestmark = pytest.mark.django_db


@pytest.fixture
def state_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(env, "STATE_DIR", tmp_path)
    return tmp_path


def test_the_demo_is_made_once_and_its_printed_password_signs_in(state_dir) -> None:
    lines = demo.ensure_demo()
    again = demo.ensure_demo()

    assert lines == again
    password = (state_dir / "demo-member").read_text().strip()
    assert f"{demo.MEMBER_EMAIL} / {password}" in lines[0]
    assert User.objects.get(email=demo.MEMBER_EMAIL).check_password(password)
    tenant = Tenant.objects.get(slug=demo.TENANT_SLUG)
    with tenant_scope(tenant):
        assert Contact.objects.count() == len(demo.CONTACTS)


def test_a_demo_left_by_another_checkout_is_taken_over(state_dir) -> None:
    demo.ensure_demo()
    member = User.objects.get(email=demo.MEMBER_EMAIL)
    # Another checkout on the same database: its own password, its own 2FA.
    member.set_password("another checkout's password")
    member.save(update_fields=["password"])
    give_authenticator(member, b"someone-elses-key-1234")
    assert TOTPDevice.objects.filter(user=member).exists()

    demo.ensure_demo()

    member.refresh_from_db()
    assert member.check_password((state_dir / "demo-member").read_text().strip())
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not RecoveryCode.objects.filter(user=member).exists()


def test_the_same_checkout_keeps_the_second_factor_its_user_enrolled(
    state_dir,
) -> None:
    demo.ensure_demo()
    member = User.objects.get(email=demo.MEMBER_EMAIL)
    give_authenticator(member, b"my-own-key-1234567890")

    demo.ensure_demo()

    assert TOTPDevice.objects.filter(user=member).exists()
