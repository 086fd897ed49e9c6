"""Contact pages on a tenant's host, for its members."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from opsyn.access import requires

from . import selectors, services
from .forms import ContactForm


@requires("view", "contacts.contact")
def contact_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.contacts_listed(), 50).get_page(request.GET.get("page"))
    summary = selectors.cached_summary()
    return render(request, "contacts/list.html", {"page": page, "summary": summary})


@requires("view", "contacts.contact")
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = selectors.contact_by_id(contact_id)
    return render(request, "contacts/detail.html", {"contact": contact})


@requires("create", "contacts.contact")
def contact_create(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contact = services.create_contact(actor_id=request.user.pk, **form.cleaned_data)
        return redirect("contacts:detail", contact_id=contact.pk)
    return render(request, "contacts/form.html", {"form": form, "creating": True})


@requires("change", "contacts.contact")
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = selectors.contact_by_id(contact_id)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        services.update_contact(
            actor_id=request.user.pk,
            contact=selectors.contact_by_id(contact_id),
            **form.cleaned_data,
        )
        return redirect("contacts:detail", contact_id=contact.pk)
    return render(request, "contacts/form.html", {"form": form, "contact": contact})
