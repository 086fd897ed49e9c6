"""Alert when a personal-data incident's 72-hour notice is overdue."""

from __future__ import annotations

import logging

from opsyn.celery import platform_task

from .selectors import overdue_notices

log = logging.getLogger(__name__)


@platform_task(name="incidents.check_notice_deadlines")
def check_notice_deadlines() -> int:
    """Log an error (an alert, through Sentry) for every overdue notice."""
    overdue = list(overdue_notices())
    for incident in overdue:
        log.error(
            "incident.notice_overdue",
            extra={"incident": incident.pk, "detected_at": incident.detected_at},
        )
    return len(overdue)
