"""Members of the alpha organisation in each role, made inside one test."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def in_alpha(two_tenants: Any) -> Iterator[Any]:
    """Work in alpha's schema for the test (its writes roll back)."""
    from shared_apps.tenants.activation import tenant_scope

    alpha, _ = two_tenants
    with tenant_scope(alpha.tenant):
        yield alpha


@pytest.fixture
def make_member(in_alpha: Any) -> Callable[..., Any]:
    """Return a factory: a new account that is an alpha member in ``role``."""
    from shared_apps.accounts.models import User
    from tenant_apps.members.models import Membership

    def make(role: str = "viewer", email: str | None = None) -> Membership:
        address = email or f"m{uuid.uuid4().hex[:8]}@alpha.example.com"
        user = User.objects.create_user(address, PASSWORD)
        if hasattr(user, "email_verified_at"):
            from django.utils import timezone

            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
        # Custom role keys are not presets, so the row is written directly.
        return Membership.objects.create(user=user, role=role)

    return make


@pytest.fixture
def signed_in(two_tenants: Any, settings: Any) -> Callable[..., Any]:
    """Return a factory: a test client signed in on a host as a member."""
    from django.test import Client

    def sign_in(membership: Any, host: str | None = None) -> Client:
        from shared_apps.accounts.models import User

        email = User.objects.get(pk=membership.user_id).email
        settings.OPSYN_TWO_FACTOR_EXEMPT_EMAILS = (
            *getattr(settings, "OPSYN_TWO_FACTOR_EXEMPT_EMAILS", ()),
            email,
        )
        client = Client(HTTP_HOST=host or two_tenants[0].host)
        response = client.post("/sign-in/", {"username": email, "password": PASSWORD})
        assert response.status_code == 302, response.content.decode()[:500]
        return client

    return sign_in


@pytest.fixture
def exempt_from_two_factor(settings: Any) -> Callable[[str], None]:
    """Let an account made in a test sign in by password alone."""

    def exempt(email: str) -> None:
        settings.OPSYN_TWO_FACTOR_EXEMPT_EMAILS = (
            *getattr(settings, "OPSYN_TWO_FACTOR_EXEMPT_EMAILS", ()),
            email,
        )

    return exempt
