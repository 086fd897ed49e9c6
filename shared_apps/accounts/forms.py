"""Forms for the identity pages; rules live in services, not here."""

from __future__ import annotations

from django import forms


class SignInForm(forms.Form):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True})
    )
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )


class EmailForm(forms.Form):
    email = forms.EmailField(label="Email")


class NewPasswordForm(forms.Form):
    password1 = forms.CharField(
        label="New password", strip=False, widget=forms.PasswordInput
    )
    password2 = forms.CharField(
        label="New password again", strip=False, widget=forms.PasswordInput
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password1") != data.get("password2"):
            raise forms.ValidationError("The two passwords are not the same.")
        return data


class ResetPasswordForm(NewPasswordForm):
    code = forms.CharField(
        label="Code from your authenticator app (or a recovery code)",
        max_length=20,
        required=False,
    )


class ChangePasswordForm(NewPasswordForm):
    current = forms.CharField(
        label="Current password", strip=False, widget=forms.PasswordInput
    )
    field_order = ["current", "password1", "password2"]


class RemoveTwoFactorForm(forms.Form):
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput
    )
    code = forms.CharField(label="Current code", max_length=20)
