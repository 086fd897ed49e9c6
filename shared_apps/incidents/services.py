"""Changes to the incident register.

The rules that make the promises hold: every incident has a severity on the
SEV ladder; a confirmed personal-data incident must record that affected
customers were told within 72 hours of detection; a SEV-1 cannot be closed
without a post-incident review.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from opsyn.errors import Conflict, InvalidInput, NotFound
from shared_apps.tenants.models import Tenant

from .models import Incident, IncidentStatus, IncidentUpdate, Severity

log = logging.getLogger(__name__)


def open_incident(
    *,
    actor: str,
    title: str,
    severity: str,
    tenant_slugs: list[str] | None = None,
    personal_data: bool = False,
    detected_at: datetime | None = None,
    summary: str = "",
) -> Incident:
    """Record a new incident; the clock for customer notice starts now."""
    title = (title or "").strip()
    if not title:
        raise InvalidInput("An incident needs a title.")
    if severity not in Severity.values:
        raise InvalidInput(
            f"Severity {severity!r} is not on the ladder; use one of "
            f"{', '.join(Severity.values)}."
        )
    tenants = _tenants(tenant_slugs or [])
    when = detected_at or timezone.now()
    if when > timezone.now():
        raise InvalidInput("An incident cannot be detected in the future.")

    with transaction.atomic():
        incident = Incident.objects.create(
            title=title,
            severity=severity,
            personal_data=personal_data,
            detected_at=when,
            summary=summary,
            opened_by=actor,
        )
        incident.tenants.set(tenants)
        IncidentUpdate.objects.create(
            incident=incident, author=actor, text=f"Opened as {severity}."
        )
    log.warning(
        "incident.opened",
        extra={"actor": actor, "incident": incident.pk, "severity": severity},
    )
    return incident


def add_update(*, actor: str, incident_id: int, text: str) -> IncidentUpdate:
    """Add an entry to an incident's timeline."""
    incident = _incident(incident_id)
    if not (text or "").strip():
        raise InvalidInput("An update needs some text.")
    return IncidentUpdate.objects.create(incident=incident, author=actor, text=text)


def record_customer_notice(*, actor: str, incident_id: int) -> Incident:
    """Record that the affected customers have been told."""
    incident = _incident(incident_id)
    incident.customers_notified_at = timezone.now()
    incident.save(update_fields=["customers_notified_at", "updated_at"])
    IncidentUpdate.objects.create(
        incident=incident, author=actor, text="Affected customers notified."
    )
    return incident


def resolve_incident(*, actor: str, incident_id: int) -> Incident:
    """Mark the incident over; the review may still follow."""
    incident = _incident(incident_id)
    if incident.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
        raise Conflict(f"Incident {incident_id} is already {incident.status}.")
    incident.status = IncidentStatus.RESOLVED
    incident.resolved_at = timezone.now()
    incident.save(update_fields=["status", "resolved_at", "updated_at"])
    IncidentUpdate.objects.create(incident=incident, author=actor, text="Resolved.")
    return incident


def close_incident(*, actor: str, incident_id: int, review: str = "") -> Incident:
    """Close a resolved incident, with its review where one is required."""
    incident = _incident(incident_id)
    if incident.status != IncidentStatus.RESOLVED:
        raise Conflict("Only a resolved incident can be closed.")
    review = (review or incident.review).strip()
    if incident.severity == Severity.SEV1 and not review:
        raise Conflict("A SEV-1 needs a post-incident review before it is closed.")
    if incident.personal_data and incident.customers_notified_at is None:
        raise Conflict(
            "Affected customers have not been recorded as notified; "
            "record the notice first."
        )
    incident.review = review
    incident.status = IncidentStatus.CLOSED
    incident.save(update_fields=["review", "status", "updated_at"])
    IncidentUpdate.objects.create(incident=incident, author=actor, text="Closed.")
    return incident


def _incident(incident_id: int) -> Incident:
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        raise NotFound(f"No incident {incident_id}.")
    return incident


def _tenants(slugs: list[str]) -> list[Tenant]:
    found = list(Tenant.objects.filter(slug__in=slugs))
    missing = sorted(set(slugs) - {t.slug for t in found})
    if missing:
        raise NotFound(f"No tenant with slug {', '.join(missing)}.")
    return found
