from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404

from .models import Contact

SUMMARY_KEY = "contacts:summary"


def contacts_listed() -> QuerySet[Contact]:
    return Contact.objects.all()


def contact_by_id(contact_id: int) -> Contact:
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        raise Http404("No such contact.")
    return contact


def refresh_summary() -> dict[str, int]:
    """Count the current tenant's contacts and cache the result for an hour."""
    summary = {"count": Contact.objects.count()}
    cache.set(SUMMARY_KEY, summary, timeout=3600)
    return summary


def cached_summary() -> dict[str, int] | None:
    """Return the current tenant's cached summary, if one was computed."""
    value = cache.get(SUMMARY_KEY)
    return value if isinstance(value, dict) else None
