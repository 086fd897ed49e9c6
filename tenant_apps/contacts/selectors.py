"""Reads of the current organisation's contacts, narrowed by the policy."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404

from tenant_apps.access import policy
from tenant_apps.access.policy import Actor

from .models import Contact

ENTITY = "contacts.contact"
SUMMARY_KEY = "contacts:summary"


def contacts_listed(*, actor: Actor, search: str = "") -> QuerySet[Contact]:
    """Return the contacts ``actor`` may see, optionally matching ``search``."""
    contacts = policy.visible(actor, ENTITY, Contact.objects.all())
    search = search.strip()
    if search:
        contacts = contacts.filter(
            Q(name__icontains=search)
            | Q(email__icontains=search)
            | Q(organisation__icontains=search)
        )
    return contacts


def contact_by_id(*, actor: Actor, contact_id: int, action: str = "view") -> Contact:
    """Return a contact ``actor`` may ``action``; anything else is a 404.

    A contact outside the actor's scope answers exactly like a missing one,
    so its existence is not revealed.
    """
    found = policy.visible(
        actor, ENTITY, Contact.objects.filter(pk=contact_id), action=action
    ).first()
    if found is None:
        policy.may(actor, action, ENTITY)  # logs the refusal when there is one
        raise Http404("No such contact.")
    return found


def refresh_summary() -> dict[str, int]:
    """Count the current tenant's contacts and cache the result for an hour."""
    summary = {"count": Contact.objects.count()}
    cache.set(SUMMARY_KEY, summary, timeout=3600)
    return summary


def cached_summary() -> dict[str, int] | None:
    """Return the current tenant's cached summary, if one was computed."""
    value = cache.get(SUMMARY_KEY)
    return value if isinstance(value, dict) else None
