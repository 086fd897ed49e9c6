from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import Contact


def contacts_listed() -> QuerySet[Contact]:
    return Contact.objects.all()


def contact_by_id(contact_id: int) -> Contact:
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        raise Http404("No such contact.")
    return contact
