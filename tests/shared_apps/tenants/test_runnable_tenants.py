"""Workers find the tenant of each task from a per-process snapshot."""

from __future__ import annotations

import time

import pytest

from shared_apps.tenants import caching, selectors
from shared_apps.tenants.models import Tenant, TenantStatus

pytestmark = pytest.mark.django_db


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    fake = _Clock()
    monkeypatch.setattr(time, "monotonic", fake)
    return fake


def _tenant(slug: str, status: str = TenantStatus.ACTIVE) -> Tenant:
    return Tenant.objects.create(
        name=slug.title(), slug=slug, schema_name=slug, status=status
    )


def test_many_tenants_cost_one_query_per_interval(
    clock: _Clock, django_assert_num_queries
) -> None:
    schemas = [_tenant(f"snap{n}").schema_name for n in range(30)]

    with django_assert_num_queries(1):
        found = [selectors.runnable_tenant_for_schema(s) for s in schemas * 3]

    assert [t.schema_name for t in found if t] == schemas * 3

    clock.now += caching.LOCAL_ROUTE_SECONDS + 0.1
    with django_assert_num_queries(1):
        selectors.runnable_tenant_for_schema(schemas[0])


def test_a_tenant_made_after_the_snapshot_runs_at_once(clock: _Clock) -> None:
    _tenant("before")
    assert selectors.runnable_tenant_for_schema("before") is not None

    _tenant("after")

    found = selectors.runnable_tenant_for_schema("after")
    assert found is not None and found.slug == "after"


def test_inactive_and_unknown_schemas_are_refused(
    clock: _Clock, django_assert_num_queries
) -> None:
    _tenant("held", status=TenantStatus.SUSPENDED)
    _tenant("going", status=TenantStatus.DELETING)

    assert selectors.runnable_tenant_for_schema("held") is None
    assert selectors.runnable_tenant_for_schema("going") is None
    assert selectors.runnable_tenant_for_schema("no_such_schema") is None
    with django_assert_num_queries(0):
        assert selectors.runnable_tenant_for_schema("no_such_schema") is None


def test_a_suspension_elsewhere_reaches_tasks_within_the_interval(
    clock: _Clock,
) -> None:
    _tenant("paused")
    assert selectors.runnable_tenant_for_schema("paused") is not None

    # Another process suspends it: this one hears nothing.
    Tenant.objects.filter(slug="paused").update(status=TenantStatus.SUSPENDED)
    clock.now += caching.LOCAL_ROUTE_SECONDS + 0.1

    assert selectors.runnable_tenant_for_schema("paused") is None


def test_past_the_limit_each_schema_is_looked_up_alone(
    clock: _Clock, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries
) -> None:
    monkeypatch.setattr(selectors, "SNAPSHOT_LIMIT", 2)
    for n in range(3):
        _tenant(f"over{n}")

    with django_assert_num_queries(2):  # the snapshot, then the lookup
        assert selectors.runnable_tenant_for_schema("over0") is not None
    with django_assert_num_queries(0):
        assert selectors.runnable_tenant_for_schema("over0") is not None
