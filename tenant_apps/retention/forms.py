"""Forms for the tenant's retention page; bounds come from the settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from .models import Category, ContactAction

_LABELS = {
    "audit_years": "Audit events: keep for (years)",
    "sessions_days": "Ended sessions: keep for (days)",
    "webhooks_days": "Webhook deliveries: keep for (days)",
    "job_runs_days": "Finished job runs: keep for (days)",
    "backups_weekly_keep": "Weekly backups kept (besides the last 7 daily)",
    "contacts_days": "Contacts not touched for (days); empty keeps them",
}


class PolicyForm(forms.Form):
    contacts_action = forms.ChoiceField(
        choices=ContactAction.choices, label="Then contacts are"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bounds: dict[str, tuple[int, int]] = settings.OPSYN_RETENTION_BOUNDS
        for name, label in _LABELS.items():
            low, high = bounds[name]
            self.fields[name] = forms.IntegerField(
                label=label,
                min_value=low,
                max_value=high,
                required=name != "contacts_days",
                help_text=f"From {low} to {high}.",
            )
        self.order_fields([*_LABELS, "contacts_action"])


class HoldForm(forms.Form):
    category = forms.ChoiceField(
        choices=[("", "Everything"), *Category.choices], required=False
    )
    reason = forms.CharField(max_length=300)
