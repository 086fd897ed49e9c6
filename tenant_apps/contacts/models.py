"""Contacts: the personal data an organisation keeps about people."""

from __future__ import annotations

from django.db import models


class Contact(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    created_by_id = models.BigIntegerField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
