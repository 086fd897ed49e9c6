"""The members screen and role editor, for organisation admins.

Thin adapters: each POST calls one service and shows its refusal, if any,
as a message with the service's status code.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from opsyn.access import requires
from opsyn.errors import PlatformError
from tenant_apps.invitations import selectors as invitation_selectors
from tenant_apps.invitations import services as invitation_services

from . import policy, selectors, services
from .catalogue import catalogue
from .forms import InviteForm, RoleForm, SupportAccessForm

MEMBERS = "members.membership"
ROLES = "access.role"


def _role_choices() -> list[tuple[str, str]]:
    return [(row["key"], row["name"]) for row in selectors.roles_listed()]


def _members_page(
    request: HttpRequest,
    *,
    invite_form: InviteForm | None = None,
    support_form: SupportAccessForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    from shared_apps.operators.selectors import support_access_of_tenant

    actor = policy.actor_for_request(request)
    pending = list(invitation_selectors.pending_invitations())
    context = {
        "members": selectors.members_listed(),
        "roles": _role_choices(),
        "modules": selectors.modules_listed(),
        "invite_form": invite_form or InviteForm(roles=_role_choices()),
        "support_form": support_form or SupportAccessForm(),
        "support_access": list(
            support_access_of_tenant(tenant_id=request.tenant.pk)[:20]  # type: ignore[attr-defined]
        ),
        "pending": pending,
        "error": error,
        "can_change": policy.may(actor, "change", MEMBERS, log_denial=False),
    }
    return render(request, "access/members.html", context, status=status)


@requires("view", MEMBERS)
def members(request: HttpRequest) -> HttpResponse:
    return _members_page(request)


def _run(
    request: HttpRequest,
    done: str,
    call: Any,
    *,
    actor_is_user: bool = False,
    **kwargs: Any,
) -> HttpResponse:
    """Call a service; on refusal re-show the page with its message.

    Services of this app take the policy's actor; the invitation services
    take the signed-in account (``actor_is_user``).
    """
    actor = request.user if actor_is_user else policy.actor_for_request(request)
    try:
        call(actor=actor, **kwargs)
    except PlatformError as exc:
        return _members_page(request, error=exc.message, status=exc.status)
    messages.success(request, done)
    return redirect("access:members")


def _post_only(request: HttpRequest) -> None:
    if request.method != "POST":
        raise Http404("No such page.")


@requires("create", "members.invitation")
def invite(request: HttpRequest) -> HttpResponse:
    _post_only(request)
    form = InviteForm(request.POST, roles=_role_choices())
    if not form.is_valid():
        return _members_page(request, invite_form=form, status=400)
    email = form.cleaned_data["email"]
    return _run(
        request,
        f"Invitation sent to {email}.",
        invitation_services.invite_member,
        actor_is_user=True,
        email=email,
        role=form.cleaned_data["role"],
    )


@requires("change", "members.invitation")
def resend_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    _post_only(request)
    return _run(
        request,
        "Invitation sent again.",
        invitation_services.resend_invitation,
        actor_is_user=True,
        invitation_id=invitation_id,
    )


@requires("delete", "members.invitation")
def revoke_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    _post_only(request)
    return _run(
        request,
        "Invitation revoked.",
        invitation_services.revoke_invitation,
        actor_is_user=True,
        invitation_id=invitation_id,
    )


@requires("change", MEMBERS)
def change_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    _post_only(request)
    return _run(
        request,
        "Role changed.",
        services.change_member_role,
        membership_id=membership_id,
        role=request.POST.get("role", ""),
    )


@requires("change", MEMBERS)
def member_module(request: HttpRequest, membership_id: int) -> HttpResponse:
    _post_only(request)
    enabled = request.POST.get("enabled") == "1"
    return _run(
        request,
        "Module access changed.",
        services.set_member_module,
        membership_id=membership_id,
        module=request.POST.get("module", ""),
        enabled=enabled,
    )


@requires("change", MEMBERS)
def suspend(request: HttpRequest, membership_id: int) -> HttpResponse:
    _post_only(request)
    return _run(
        request,
        "Member suspended; their sessions have ended.",
        services.suspend_member,
        membership_id=membership_id,
    )


@requires("change", MEMBERS)
def resume(request: HttpRequest, membership_id: int) -> HttpResponse:
    _post_only(request)
    return _run(
        request, "Member resumed.", services.resume_member, membership_id=membership_id
    )


@requires("delete", MEMBERS)
def remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    _post_only(request)
    return _run(
        request,
        "Member removed; their sessions have ended.",
        services.remove_member,
        membership_id=membership_id,
    )


@requires("administer", ROLES)
def organisation_module(request: HttpRequest) -> HttpResponse:
    _post_only(request)
    return _run(
        request,
        "Module setting saved.",
        services.set_organisation_module,
        module=request.POST.get("module", ""),
        enabled=request.POST.get("enabled") == "1",
    )


@requires("administer", MEMBERS)
def grant_support(request: HttpRequest) -> HttpResponse:
    _post_only(request)
    form = SupportAccessForm(request.POST)
    if not form.is_valid():
        return _members_page(request, support_form=form, status=400)
    return _run(
        request,
        "Support access granted.",
        services.grant_support_access,
        **form.cleaned_data,
    )


@requires("administer", MEMBERS)
def revoke_support(request: HttpRequest, access_id: int) -> HttpResponse:
    _post_only(request)
    return _run(
        request,
        "Support access revoked.",
        services.revoke_support_access,
        access_id=access_id,
    )


@requires("view", ROLES)
def roles(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_for_request(request)
    rows = selectors.roles_listed()
    actions = catalogue.actions()
    for row in rows:
        table = selectors.grants_of(row["key"])
        row["matrix"] = [
            {
                "entity": entity,
                "cells": [
                    table.get((entity.name, a)).key  # type: ignore[union-attr]
                    if (entity.name, a) in table
                    else ("none" if a in entity.actions else "")
                    for a in actions
                ],
            }
            for entity in catalogue.entities.values()
        ]
    context = {
        "roles": rows,
        "actions": actions,
        "can_create": policy.may(actor, "create", ROLES, log_denial=False),
    }
    return render(request, "access/roles.html", context)


@requires("create", ROLES)
def role_create(request: HttpRequest) -> HttpResponse:
    form = RoleForm(request.POST or None, initial_grants={})
    return _submit_role(request, form, services.create_role, done="Role created.")


@requires("change", ROLES)
def role_edit(request: HttpRequest, key: str) -> HttpResponse:
    role = selectors.role_named(key)
    if role is None:
        raise Http404("No such role.")
    form = RoleForm(
        request.POST or None,
        initial={"name": role.name, "description": role.description},
        initial_grants=selectors.grants_of(key),
    )
    return _submit_role(
        request, form, services.update_role, done="Role saved.", role_key=key
    )


def _submit_role(
    request: HttpRequest,
    form: RoleForm,
    save: Any,
    *,
    done: str,
    role_key: str = "",
) -> HttpResponse:
    """Show the role form; on a valid POST save it through ``save``.

    A form error answers 400, a service's refusal its own status, both with
    the form as it was sent.
    """
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            keyed = {"role_key": role_key} if role_key else {}
            try:
                save(
                    actor=policy.actor_for_request(request),
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    grants=form.grants(),
                    **keyed,
                )
            except PlatformError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, done)
                return redirect("access:roles")
    return _role_form(
        request, form, creating=not role_key, role_key=role_key, status=status
    )


@requires("delete", ROLES)
def role_delete(request: HttpRequest, key: str) -> HttpResponse:
    _post_only(request)
    try:
        services.delete_role(actor=policy.actor_for_request(request), role_key=key)
    except PlatformError as exc:
        messages.error(request, exc.message)
        response = redirect("access:roles")
        return response
    messages.success(request, "Role deleted.")
    return redirect("access:roles")


def _role_form(
    request: HttpRequest,
    form: RoleForm,
    *,
    creating: bool = False,
    role_key: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "matrix": form.matrix(),
        "actions": catalogue.actions(),
        "creating": creating,
        "role_key": role_key,
    }
    return render(request, "access/role_form.html", context, status=status)
