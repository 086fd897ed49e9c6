"""The incident register keeps the SEV ladder, the 72-hour notice and reviews."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from opsyn.cli import main
from opsyn.errors import Conflict, InvalidInput, NotFound
from shared_apps.incidents import selectors, services
from shared_apps.incidents.tasks import check_notice_deadlines

pytestmark = pytest.mark.django_db


def test_an_incident_needs_a_severity_on_the_ladder() -> None:
    with pytest.raises(InvalidInput, match="not on the ladder"):
        services.open_incident(actor="op", title="Outage", severity="sev0")


def test_affected_tenants_must_exist(two_tenants) -> None:
    with pytest.raises(NotFound, match="nobody"):
        services.open_incident(
            actor="op", title="Leak", severity="sev2", tenant_slugs=["alpha", "nobody"]
        )


def test_a_sev1_cannot_close_without_a_review() -> None:
    incident = services.open_incident(actor="op", title="Down", severity="sev1")
    services.resolve_incident(actor="op", incident_id=incident.pk)

    with pytest.raises(Conflict, match="post-incident review"):
        services.close_incident(actor="op", incident_id=incident.pk)
    closed = services.close_incident(
        actor="op", incident_id=incident.pk, review="Disk filled; alert added."
    )

    assert closed.status == "closed"
    assert [u.text for u in closed.updates.all()][-1] == "Closed."


def test_personal_data_incident_is_overdue_after_72_hours_without_notice(
    two_tenants,
) -> None:
    alpha, _ = two_tenants
    detected = timezone.now() - timedelta(hours=73)
    incident = services.open_incident(
        actor="op",
        title="Export sent to wrong address",
        severity="sev2",
        tenant_slugs=[alpha.slug],
        personal_data=True,
        detected_at=detected,
    )
    fresh = services.open_incident(
        actor="op", title="Suspected leak", severity="sev2", personal_data=True
    )

    assert incident.notify_by == detected + timedelta(hours=72)
    assert list(selectors.overdue_notices()) == [incident]
    assert check_notice_deadlines.apply().result == 1

    services.record_customer_notice(actor="op", incident_id=incident.pk)
    assert list(selectors.overdue_notices()) == []
    assert fresh not in selectors.overdue_notices()


def test_personal_data_incident_cannot_close_before_customers_are_told() -> None:
    incident = services.open_incident(
        actor="op", title="Leak", severity="sev3", personal_data=True
    )
    services.resolve_incident(actor="op", incident_id=incident.pk)
    with pytest.raises(Conflict, match="notified"):
        services.close_incident(actor="op", incident_id=incident.pk)


def test_the_cli_opens_and_lists_incidents(capsys, two_tenants) -> None:
    code = main(
        [
            "incidents",
            "open",
            "--title",
            "Slow pages",
            "--severity",
            "sev3",
            "--tenant",
            "alpha",
        ]
    )
    out, _ = capsys.readouterr()
    assert code == 0 and out.startswith("opened incident ")

    main(["incidents", "list"])
    out, _ = capsys.readouterr()
    assert "sev3" in out and "alpha" in out and "Slow pages" in out

    code = main(["incidents", "open", "--title", "x", "--severity", "big"])
    _, err = capsys.readouterr()
    assert code == 1 and err.startswith("opsyn: Severity 'big' is not on the ladder")
