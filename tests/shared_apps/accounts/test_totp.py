"""TOTP codes: RFC 6238 vectors, drift, replay, and racing submissions."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections

from shared_apps.accounts import totp, two_factor
from shared_apps.accounts.models import TOTPDevice
from shared_apps.accounts.services import create_user
from tests.shared_apps.accounts.support import PASSWORD, code, give_authenticator

RFC_KEY = b"12345678901234567890"


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_rfc_6238_appendix_b_sha1_vectors(timestamp: int, expected: str) -> None:
    assert totp.code_for(RFC_KEY, totp.step_at(timestamp), digits=8) == expected


def test_the_otpauth_uri_names_the_issuer_and_the_email() -> None:
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", "ada@example.com")

    assert uri.startswith("otpauth://totp/OpSyn:ada@example.com?")
    assert "issuer=OpSyn" in uri
    assert "secret=JBSWY3DPEHPK3PXP" in uri


def _user_with_device(key: bytes):
    user = create_user(
        actor="test",
        email=f"totp{time.time_ns()}@example.com",
        password=PASSWORD,
        email_verified=True,
    )
    give_authenticator(user, key)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_codes_of_the_previous_current_and_next_step_pass(offset: int) -> None:
    key = b"k" * 20
    user = _user_with_device(key)

    assert two_factor.verify(user=user, code=code(key, offset)) is True


@pytest.mark.django_db
@pytest.mark.parametrize("offset", [-2, 2])
def test_codes_two_steps_away_fail(offset: int) -> None:
    key = b"k" * 20
    user = _user_with_device(key)

    assert two_factor.verify(user=user, code=code(key, offset)) is False


@pytest.mark.django_db
def test_a_code_is_never_accepted_twice() -> None:
    key = b"r" * 20
    user = _user_with_device(key)
    current = code(key)

    assert two_factor.verify(user=user, code=current) is True
    assert two_factor.verify(user=user, code=current) is False
    # An older step than one already used is refused too.
    assert two_factor.verify(user=user, code=code(key, -1)) is False


@pytest.mark.django_db
def test_the_secret_is_not_stored_in_plaintext() -> None:
    import base64

    key = b"s" * 20
    user = _user_with_device(key)
    stored = TOTPDevice.objects.get(user=user).encrypted_key

    assert base64.b32encode(key).decode().rstrip("=") not in stored
    assert key.decode() not in stored


def test_twenty_concurrent_submissions_of_one_code_succeed_exactly_once(
    two_tenants, django_db_blocker
) -> None:
    key = b"c" * 20
    # The racing threads each use their own connection, so the device is
    # committed (no test transaction here) and removed afterwards.
    with django_db_blocker.unblock():
        user = _user_with_device(key)
        try:
            submitted = code(key)
            results: list[object] = []
            barrier = threading.Barrier(20)

            def submit() -> None:
                try:
                    barrier.wait()
                    results.append(two_factor.verify(user=user, code=submitted))
                except Exception as exc:  # a throttled loser is a refusal too
                    results.append(exc)
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=submit) for _ in range(20)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

            assert len(results) == 20
            assert results.count(True) == 1
        finally:
            type(user).objects.filter(pk=user.pk).delete()
