"""The page an invitation link opens, on the organisation's host."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render

from opsyn.access import public
from opsyn.clients import client_ip
from opsyn.errors import PlatformError
from shared_apps.accounts.forms import NewPasswordForm
from shared_apps.accounts.models import User
from shared_apps.accounts.signin import check_password_sign_in
from shared_apps.security.throttle import Throttled, ThrottleUnavailable

from .selectors import open_invitation_for_token
from .services import accept_as_existing_account, sign_up_from_invitation


class SignUpForm(NewPasswordForm):
    full_name = forms.CharField(label="Your name", max_length=150)
    field_order = ["full_name", "password1", "password2"]


class ExistingAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password", strip=False, widget=forms.PasswordInput
    )


@public
def accept(request: HttpRequest, token: str) -> HttpResponseBase:
    invitation = open_invitation_for_token(token)
    if invitation is None:
        return render(request, "invitations/invalid.html", status=404)
    existing = User.objects.filter(email=invitation.email).first()
    form: forms.Form = (
        ExistingAccountForm(request.POST or None)
        if existing
        else SignUpForm(request.POST or None)
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            if existing is not None:
                user = check_password_sign_in(
                    email=invitation.email,
                    password=form.cleaned_data["password"],
                    ip=client_ip(request),
                    allowed=lambda _user: True,
                )
                accept_as_existing_account(invitation=invitation, user=user)
                messages.success(
                    request,
                    f"You have joined {request.tenant.name}. Sign in to continue.",  # type: ignore[attr-defined]
                )
                return redirect("sign-in")
            sign_up_from_invitation(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                base_url=f"{request.scheme}://{request.get_host()}",
            )
            return render(
                request, "invitations/check_email.html", {"email": invitation.email}
            )
        except (Throttled, ThrottleUnavailable) as exc:
            response = render(
                request,
                "accounts/refused.html",
                {"message": exc.message},
                status=exc.status,
            )
            response["Retry-After"] = str(getattr(exc, "retry_after", 60))
            return response
        except PlatformError as exc:
            error = exc.message
    return render(
        request,
        "invitations/accept.html",
        {
            "form": form,
            "error": error,
            "invitation": invitation,
            "existing": existing is not None,
        },
        status=400 if error else 200,
    )
