"""The tenant's retention page: policy, legal holds and receipts."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opsyn.access import requires
from opsyn.errors import PlatformError

from . import selectors, services
from .forms import HoldForm, PolicyForm
from .services import POLICY_FIELDS


def _page(
    request: HttpRequest,
    policy_form: PolicyForm,
    hold_form: HoldForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "retention/policy.html",
        {
            "policy_form": policy_form,
            "hold_form": hold_form,
            "holds": selectors.active_holds(),
            "receipts": selectors.recent_receipts(),
        },
        status=status,
    )


@requires("change", "retention.policy")
def policy(request: HttpRequest) -> HttpResponse:
    current = selectors.current_policy()
    initial = {name: getattr(current, name) for name in POLICY_FIELDS}
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_policy(actor_id=request.user.pk, **form.cleaned_data)
            except PlatformError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Retention policy saved.")
                return redirect("retention:policy")
        return _page(request, form, HoldForm(), status=400)
    return _page(request, form, HoldForm())


@require_POST
@requires("change", "retention.policy")
def place_hold(request: HttpRequest) -> HttpResponse:
    form = HoldForm(request.POST)
    if form.is_valid():
        try:
            services.place_hold(
                actor_id=request.user.pk,
                category=form.cleaned_data["category"],
                reason=form.cleaned_data["reason"],
            )
        except PlatformError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, "Legal hold placed: nothing it covers is deleted."
            )
            return redirect("retention:policy")
    current = selectors.current_policy()
    initial = {name: getattr(current, name) for name in POLICY_FIELDS}
    return _page(request, PolicyForm(initial=initial), form, status=400)


@require_POST
@requires("change", "retention.policy")
def release_hold(request: HttpRequest, hold_id: int) -> HttpResponse:
    try:
        services.release_hold(actor_id=request.user.pk, hold_id=hold_id)
    except PlatformError as exc:
        messages.error(request, exc.message)
        return redirect("retention:policy")
    messages.success(request, "Legal hold released.")
    return redirect("retention:policy")
