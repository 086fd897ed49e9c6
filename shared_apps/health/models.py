"""Heartbeats written by scheduled work, read by the health check."""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """The last time a named piece of background machinery proved alive."""

    name = models.CharField(max_length=60, unique=True)
    beat_at = models.DateTimeField()
    detail = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
