from __future__ import annotations

from django import forms

from .models import Contact


class ContactForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Contact
        fields = ["name", "email", "phone", "organisation", "notes"]
