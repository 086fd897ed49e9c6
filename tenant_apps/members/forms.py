from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from shared_apps.accounts.models import User

from .selectors import active_membership


class SignInForm(AuthenticationForm):
    """Sign in with email and password; only this organisation's members."""

    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True})
    )

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if active_membership(user_id=user.pk) is None:
            # The same message as a wrong password: membership is not revealed.
            raise self.get_invalid_login_error()
