"""Contact pages on a tenant's host, for its members.

Every page asks the policy: lists and searches are narrowed by
``visible``, single contacts outside the member's scope are 404, and the
buttons a member may not use are not shown.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from opsyn.access import requires
from tenant_apps.access import policy
from tenant_apps.access.catalogue import Scope

from . import selectors, services
from .forms import ContactForm

ENTITY = selectors.ENTITY
PAGE_SIZE = 50


@requires("view", ENTITY)
def contact_list(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_for_request(request)
    search = request.GET.get("q", "")
    contacts = selectors.contacts_listed(actor=actor, search=search)
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    # The organisation-wide count is only shown to those who see every row.
    sees_all = policy.scope(actor, "view", ENTITY) is Scope.ALL
    summary = selectors.cached_summary() if sees_all and not search else None
    context = {
        "page": page,
        "summary": summary,
        "search": search,
        "can_create": policy.may(actor, "create", ENTITY, log_denial=False),
    }
    return render(request, "contacts/list.html", context)


@requires("view", ENTITY)
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = policy.actor_for_request(request)
    contact = selectors.contact_by_id(actor=actor, contact_id=contact_id)
    context = {
        "contact": contact,
        "can_change": policy.may(actor, "change", ENTITY, contact, log_denial=False),
    }
    return render(request, "contacts/detail.html", context)


@requires("create", ENTITY)
def contact_create(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contact = services.create_contact(actor_id=request.user.pk, **form.cleaned_data)
        return redirect("contacts:detail", contact_id=contact.pk)
    return render(request, "contacts/form.html", {"form": form, "creating": True})


@requires("change", ENTITY)
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = policy.actor_for_request(request)
    contact = selectors.contact_by_id(
        actor=actor, contact_id=contact_id, action="change"
    )
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        services.update_contact(
            actor_id=request.user.pk,
            contact=selectors.contact_by_id(
                actor=actor, contact_id=contact_id, action="change"
            ),
            **form.cleaned_data,
        )
        return redirect("contacts:detail", contact_id=contact.pk)
    return render(request, "contacts/form.html", {"form": form, "contact": contact})
