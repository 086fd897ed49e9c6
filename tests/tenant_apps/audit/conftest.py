"""Members of alpha in a given role, signed in on alpha's host."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def alpha(two_tenants: Any) -> Iterator[Any]:
    from shared_apps.tenants.activation import tenant_scope

    with tenant_scope(two_tenants[0].tenant):
        yield two_tenants[0]


@pytest.fixture
def member_client(alpha: Any, settings: Any) -> Callable[[str], Any]:
    """Return a factory: a client signed in on alpha as a new member."""
    from django.test import Client
    from django.utils import timezone

    from shared_apps.accounts.models import User
    from tenant_apps.members.models import Membership

    def make(role: str) -> Any:
        email = f"m{uuid.uuid4().hex[:8]}@alpha.example.com"
        user = User.objects.create_user(email, PASSWORD)
        if hasattr(user, "email_verified_at"):
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
        Membership.objects.create(user=user, role=role)
        settings.OPSYN_TWO_FACTOR_EXEMPT_EMAILS = (
            *getattr(settings, "OPSYN_TWO_FACTOR_EXEMPT_EMAILS", ()),
            email,
        )
        client = Client(HTTP_HOST=alpha.host, REMOTE_ADDR="198.51.100.23")
        response = client.post("/sign-in/", {"username": email, "password": PASSWORD})
        assert response.status_code == 302, response.content.decode()[:300]
        client.user = user  # type: ignore[attr-defined]
        return client

    return make
