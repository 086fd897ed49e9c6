"""Record that the scheduler and a worker are alive."""

from __future__ import annotations

import socket

from django.utils import timezone

from .models import Heartbeat

SCHEDULER_HEARTBEAT = "scheduler"


def record_heartbeat(*, name: str = SCHEDULER_HEARTBEAT) -> Heartbeat:
    beat, _ = Heartbeat.objects.update_or_create(
        name=name,
        defaults={"beat_at": timezone.now(), "detail": socket.gethostname()[:200]},
    )
    return beat
