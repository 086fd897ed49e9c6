"""Operators see job runs and edit schedules in the console."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from shared_apps.accounts.services import create_user
from shared_apps.jobs.models import JobRun, TenantSchedule
from shared_apps.operators.services import assign_global_role
from tests.shared_apps.accounts.support import PASSWORD, code_from_secret

pytestmark = pytest.mark.django_db


def _operator() -> Client:
    create_user(
        actor="test",
        email="jobs.operator@example.com",
        password=PASSWORD,
        is_staff=True,
        email_verified=True,
    )
    assign_global_role(
        actor="test", email="jobs.operator@example.com", role="platform_admin"
    )
    client = Client(HTTP_HOST="localhost")
    client.post(
        "/sign-in/", {"username": "jobs.operator@example.com", "password": PASSWORD}
    )
    page = client.get("/account/two-factor/enrol/").content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page)
    assert secret is not None
    client.post("/account/two-factor/enrol/", {"code": code_from_secret(secret[1])})
    return client


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
