"""Tasks run in the tenant that sent them, on a real worker, and refuse
to run without one."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from opsyn.celery import TenantRequired, app
from shared_apps.tenants.activation import tenant_scope
from tenant_apps.contacts.models import Contact
from tenant_apps.contacts.selectors import SUMMARY_KEY
from tenant_apps.contacts.tasks import refresh_summary

pytestmark = pytest.mark.django_db


def _summary(fixture) -> object:
    with tenant_scope(fixture.tenant):
        return cache.get(SUMMARY_KEY)


def _count(fixture) -> int:
    with tenant_scope(fixture.tenant):
        return Contact.objects.count()


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_task_runs_in_the_tenant_it_was_sent_from(two_tenants, celery_worker) -> None:
    alpha, bravo = two_tenants
    for fixture in two_tenants:
        with tenant_scope(fixture.tenant):
            cache.delete(SUMMARY_KEY)

    with tenant_scope(alpha.tenant):
        refresh_summary.delay()

    assert _wait_for(lambda: _summary(alpha) is not None), celery_worker.log()
    assert _summary(alpha) == {"count": _count(alpha)}
    assert _summary(bravo) is None, "alpha's task touched bravo's cache"

    with tenant_scope(bravo.tenant):
        refresh_summary.delay()
    assert _wait_for(lambda: _summary(bravo) is not None), celery_worker.log()
    assert _summary(bravo) == {"count": _count(bravo)}


def test_sending_a_tenant_task_from_outside_a_tenant_is_refused() -> None:
    with pytest.raises(TenantRequired):
        refresh_summary.delay()


def test_a_task_delivered_without_a_tenant_refuses_to_run(
    two_tenants, celery_worker
) -> None:
    # Publish as a foreign or buggy producer would: no tenant header at all.
    result = app.send_task("contacts.refresh_summary")

    assert celery_worker.wait_for_log(result.id, timeout=30)
    assert celery_worker.wait_for_log("task.refused", timeout=30), celery_worker.log()
    assert _summary(two_tenants[0]) in (None, {"count": _count(two_tenants[0])})


def test_a_task_naming_an_unknown_schema_refuses_to_run(two_tenants) -> None:
    outcome = refresh_summary.apply(headers={"opsyn_tenant": "no_such_schema"})
    assert isinstance(outcome.result, TenantRequired)
