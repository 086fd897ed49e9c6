"""Cache entries and stored files are kept per tenant."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django_tenants.files.storage import TenantFileSystemStorage

from shared_apps.tenants.activation import tenant_scope

pytestmark = pytest.mark.django_db


def test_the_same_cache_key_holds_different_values_per_tenant(two_tenants) -> None:
    alpha, bravo = two_tenants
    with tenant_scope(alpha.tenant):
        cache.set("greeting", "from alpha")
    with tenant_scope(bravo.tenant):
        assert cache.get("greeting") is None
        cache.set("greeting", "from bravo")
    with tenant_scope(alpha.tenant):
        assert cache.get("greeting") == "from alpha"
    assert cache.get("greeting") is None  # nor in the public schema


def test_deleting_a_key_in_one_tenant_leaves_the_other(two_tenants) -> None:
    alpha, bravo = two_tenants
    for fixture in two_tenants:
        with tenant_scope(fixture.tenant):
            cache.set("counter", fixture.slug)
    with tenant_scope(alpha.tenant):
        cache.delete("counter")
    with tenant_scope(bravo.tenant):
        assert cache.get("counter") == bravo.slug


def test_files_are_stored_and_found_per_tenant(two_tenants, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    alpha, bravo = two_tenants
    with tenant_scope(alpha.tenant):
        storage = TenantFileSystemStorage()
        saved = storage.save("notes.txt", ContentFile(b"alpha only"))
        assert (tmp_path / alpha.tenant.schema_name / saved).read_bytes() == (
            b"alpha only"
        )
    with tenant_scope(bravo.tenant):
        storage = TenantFileSystemStorage()
        assert not storage.exists(saved)
        with pytest.raises(FileNotFoundError):
            storage.open(saved)
