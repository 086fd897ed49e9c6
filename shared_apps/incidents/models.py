"""The incident register: what went wrong, how bad, who was told, when."""

from __future__ import annotations

from datetime import timedelta

from django.db import models

# GDPR Art. 33: a personal-data breach is notified within 72 hours of the
# platform becoming aware of it.
NOTIFICATION_WINDOW = timedelta(hours=72)


class Severity(models.TextChoices):
    SEV1 = "sev1", "SEV-1: outage or confirmed data exposure"
    SEV2 = "sev2", "SEV-2: major degradation, or a suspected exposure"
    SEV3 = "sev3", "SEV-3: minor degradation with a workaround"
    SEV4 = "sev4", "SEV-4: cosmetic or internal only"


class IncidentStatus(models.TextChoices):
    OPEN = "open", "Open"
    MITIGATED = "mitigated", "Mitigated"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class Incident(models.Model):
    """One incident, from detection to its closing review."""

    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    status = models.CharField(
        max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    summary = models.TextField(blank=True)
    personal_data = models.BooleanField(
        default=False, help_text="Confirmed personal-data incident (GDPR Art. 33)."
    )
    tenants = models.ManyToManyField("tenants.Tenant", blank=True, related_name="+")
    detected_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    customers_notified_at = models.DateTimeField(null=True, blank=True)
    review = models.TextField(
        blank=True, help_text="Post-incident review: required to close a SEV-1."
    )
    opened_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-detected_at"]

    def __str__(self) -> str:
        return f"{self.get_severity_display().split(':')[0]} {self.title}"

    @property
    def notify_by(self) -> object:
        """When affected customers must have been told, if they must be."""
        if not self.personal_data:
            return None
        return self.detected_at + NOTIFICATION_WINDOW


class IncidentUpdate(models.Model):
    """A timestamped entry in an incident's timeline."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="updates"
    )
    at = models.DateTimeField(auto_now_add=True)
    author = models.CharField(max_length=200)
    text = models.TextField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.author}"
