"""Operators see job runs and edit schedules in the console."""

from __future__ import annotations

import pytest
from django.test import Client

from shared_apps.jobs.models import JobRun, TenantSchedule
from tests.shared_apps.accounts.support import signed_in_operator

pytestmark = pytest.mark.django_db


def _operator() -> Client:
    return signed_in_operator("jobs.operator@example.com")


def test_an_operator_sees_a_failed_run_and_its_error(two_tenants) -> None:
    alpha, _ = two_tenants
    JobRun.objects.create(
        tenant_id=alpha.tenant.pk,
        kind="backup",
        trigger="schedule",
        status="failed",
        attempt=3,
        error="OSError: backup storage is full",
    )
    client = _operator()

    page = client.get("/console/jobs/jobrun/?status__exact=failed")

    assert page.status_code == 200
    text = page.content.decode()
    assert "OSError: backup storage is full" in text
    assert "alpha" in text


def test_an_operator_changes_a_tenants_backup_time(two_tenants) -> None:
    alpha, _ = two_tenants
    client = _operator()

    added = client.post(
        "/console/jobs/tenantschedule/add/",
        {
            "tenant": alpha.tenant.pk,
            "backup_time": "04:30",
            "retention_time": "05:15",
            "enabled": "on",
        },
    )

    assert added.status_code == 302, added.content.decode()[:2000]
    schedule = TenantSchedule.objects.get(tenant_id=alpha.tenant.pk)
    assert schedule.backup_time.strftime("%H:%M") == "04:30"
