"""Celery: Redis broker, late acknowledgement, the platform's schedule."""

from __future__ import annotations

from opsyn import env

CELERY_BROKER_URL = env.REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.CELERY_EAGER
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 6 * 60 * 60}
CELERY_BEAT_SCHEDULE = {
    "platform-heartbeat": {
        "task": "health.heartbeat",
        "schedule": 30.0,
    },
    "incident-notice-deadlines": {
        "task": "incidents.check_notice_deadlines",
        "schedule": 15 * 60.0,
    },
}
# A heartbeat older than this means the scheduler or worker is not running.
OPSYN_HEARTBEAT_STALE_SECONDS = 120
