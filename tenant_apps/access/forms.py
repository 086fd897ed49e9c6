"""Forms of the members screen and the role editor."""

from __future__ import annotations

from typing import Any

from django import forms

from .catalogue import Scope, catalogue

SCOPE_CHOICES = [(s.key, s.key.capitalize()) for s in Scope]


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField()

    def __init__(self, *args: Any, roles: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["role"].choices = roles  # type: ignore[attr-defined]


class SupportAccessForm(forms.Form):
    operator_email = forms.EmailField(label="Operator's email")
    hours = forms.IntegerField(min_value=1, max_value=72, initial=4)
    reason = forms.CharField(max_length=300)


def grant_field_name(entity: str, action: str) -> str:
    return f"grant__{entity}__{action}"


class RoleForm(forms.Form):
    """A name plus one scope choice per (entity, action) in the catalogue."""

    name = forms.CharField(max_length=80)
    description = forms.CharField(max_length=300, required=False)

    def __init__(
        self, *args: Any, initial_grants: dict[tuple[str, str], Scope], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        for entity in catalogue.entities.values():
            for action in entity.actions:
                choices = [
                    c
                    for c in SCOPE_CHOICES
                    if c[0] != "own" or entity.owner_field is not None
                ]
                reach = initial_grants.get((entity.name, action), Scope.NONE)
                self.fields[grant_field_name(entity.name, action)] = forms.ChoiceField(
                    choices=choices,
                    initial=reach.key,
                    label=f"{action} {entity.label}",
                    # A permission left out of the form is not granted.
                    required=False,
                )

    def grants(self) -> dict[tuple[str, str], Scope]:
        return {
            (entity.name, action): Scope.from_key(
                self.cleaned_data.get(grant_field_name(entity.name, action)) or "none"
            )
            for entity in catalogue.entities.values()
            for action in entity.actions
        }

    def matrix(self) -> list[dict[str, Any]]:
        """Rows of entities, each with its action cells, for the template."""
        actions = catalogue.actions()
        rows = []
        for entity in catalogue.entities.values():
            cells = [
                self[grant_field_name(entity.name, a)] if a in entity.actions else None
                for a in actions
            ]
            rows.append({"entity": entity, "cells": cells})
        return rows
