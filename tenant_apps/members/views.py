"""Sign in and out on a tenant's host."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from opsyn.access import public

from .forms import SignInForm

sign_in = public(
    auth_views.LoginView.as_view(
        template_name="members/sign_in.html",
        authentication_form=SignInForm,
        redirect_authenticated_user=True,
    )
)
sign_out = public(auth_views.LogoutView.as_view())
