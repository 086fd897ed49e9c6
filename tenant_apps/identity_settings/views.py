"""The organisation admin's page for two-factor policy and timeouts."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render

from opsyn.access import requires
from opsyn.errors import PlatformError
from shared_apps.accounts.models import User

from .models import TwoFactorPolicy
from .selectors import current_identity_settings
from .services import update_identity_settings


class IdentitySettingsForm(forms.Form):
    two_factor_policy = forms.ChoiceField(
        label="Two-factor authentication", choices=TwoFactorPolicy.choices
    )
    idle_timeout_minutes = forms.IntegerField(label="Sign out after idle (minutes)")
    absolute_timeout_hours = forms.IntegerField(label="Sign out after at most (hours)")


@requires("change", "identity_settings.policy")
def identity_settings(request: HttpRequest) -> HttpResponseBase:
    chosen = current_identity_settings()
    form = IdentitySettingsForm(
        request.POST or None,
        initial={
            "two_factor_policy": chosen.two_factor_policy,
            "idle_timeout_minutes": chosen.idle_timeout_minutes,
            "absolute_timeout_hours": chosen.absolute_timeout_hours,
        },
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        user = request.user
        assert isinstance(user, User)
        try:
            update_identity_settings(actor=user, **form.cleaned_data)
        except PlatformError as exc:
            error = exc.message
        else:
            messages.success(request, "Sign-in settings saved.")
            return redirect("identity-settings")
    return render(
        request,
        "identity_settings/edit.html",
        {
            "form": form,
            "error": error,
            "idle_bounds": settings.OPSYN_SESSION_IDLE_BOUNDS,
            "absolute_bounds": settings.OPSYN_SESSION_ABSOLUTE_BOUNDS,
        },
        status=400 if error else 200,
    )
