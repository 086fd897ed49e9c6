"""The menu of a tenant's pages, built from what the policy lets one see.

A module switched off for the organisation or the member has no menu entry,
just as its pages answer 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from . import policy

# (label, URL name, action, entity): one entry per top-level page.
MENU = (
    ("Contacts", "contacts:list", "view", "contacts.contact"),
    ("Members", "access:members", "view", "members.membership"),
    ("Roles", "access:roles", "view", "access.role"),
    ("Audit log", "audit:list", "view", "audit.event"),
    ("Retention", "retention:policy", "change", "retention.policy"),
    ("Sign-in settings", "identity-settings", "change", "identity_settings.policy"),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Template context processor: ``nav`` lists the pages one may open."""
    if getattr(request, "tenant", None) is None or not (
        getattr(request, "membership", None) or getattr(request, "support_access", None)
    ):
        return {"nav": []}
    actor = policy.actor_for_request(request)
    return {
        "nav": [
            {"label": label, "url": reverse(name)}
            for label, name, action, entity in MENU
            if policy.may(actor, action, entity, log_denial=False)
        ]
    }
