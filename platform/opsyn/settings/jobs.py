"""Celery: Redis broker, late acknowledgement, the platform's schedule."""

from __future__ import annotations

from celery.schedules import crontab

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
    # Per-tenant jobs: each dispatcher makes the runs that are due and
    # spreads their sends; running it more often only checks more often.
    "jobs-dispatch-backup": {
        "task": "jobs.dispatch",
        "schedule": 300.0,
        "args": ("backup",),
    },
    "jobs-dispatch-retention": {
        "task": "jobs.dispatch",
        "schedule": 300.0,
        "args": ("retention",),
    },
    "jobs-dispatch-drill": {
        "task": "jobs.dispatch",
        "schedule": crontab(minute=0, hour=6, day_of_week="sunday"),
        "args": ("drill",),
    },
    "jobs-sweep": {
        "task": "jobs.sweep",
        "schedule": 60.0,
    },
    # Prepared audit exports are fetched within an hour or not at all.
    "audit-remove-expired-exports": {
        "task": "audit.remove_expired_exports",
        "schedule": 3600.0,
    },
    # The signed chain heads that `opsyn audit verify` checks the log against.
    "audit-digests": {
        "task": "audit.write_digests",
        "schedule": crontab(minute=15, hour=0),
    },
}
# A heartbeat older than this means the scheduler or worker is not running.
OPSYN_HEARTBEAT_STALE_SECONDS = 120

# Per-tenant jobs (shared_apps/jobs): sends of one dispatch are spread over
# this window; a failed run is tried this many times in all, waiting
# base * 4^(attempt - 1) seconds between attempts; a queued run not started
# this long after it was due is sent again.
OPSYN_JOBS_SPREAD_SECONDS = 240
OPSYN_JOBS_MAX_ATTEMPTS = 3
OPSYN_JOBS_RETRY_BASE_SECONDS = 60
OPSYN_JOBS_LOST_AFTER_SECONDS = 3600
OPSYN_JOBS_QUEUE = env.JOBS_QUEUE
OPSYN_MAINTENANCE_QUEUE = env.MAINTENANCE_QUEUE
# The weekly restore drill restores this many tenants' latest backups.
OPSYN_BACKUP_DRILL_SAMPLE = 20
# Backups kept: the last N daily ones, plus the newest of each of the last
# M weeks (a tenant's retention policy may choose M within the bounds).
OPSYN_BACKUP_KEEP_DAILY = 7
OPSYN_BACKUP_KEEP_WEEKLY = 4
# A promote keeps the schema it replaced this long, then retention drops it.
OPSYN_REPLACED_SCHEMA_KEEP_DAYS = 7
OPSYN_BACKUP_DIR = env.BACKUP_DIR
OPSYN_BACKUP_KEY = env.BACKUP_KEY
OPSYN_BACKUP_AZURE_CONTAINER = env.BACKUP_AZURE_CONTAINER
OPSYN_BACKUP_AZURE_CONNECTION_STRING = env.BACKUP_AZURE_CONNECTION_STRING
OPSYN_BACKUP_AZURE_CONTAINER_URL = env.BACKUP_AZURE_CONTAINER_URL
# Retention (tenant_apps/retention): what admins may choose, per field,
# as (lowest, highest). Audit events are never kept less than the lowest.
OPSYN_RETENTION_BOUNDS = {
    "audit_years": (1, 7),
    "sessions_days": (1, 365),
    "webhooks_days": (1, 365),
    "job_runs_days": (7, 730),
    "backups_weekly_keep": (0, 52),
    "contacts_days": (30, 3650),
}
# Rows removed per transaction: the first batch's size; later batches are
# resized to take about the target time (each transaction stays short),
# never more than the maximum.
OPSYN_RETENTION_BATCH_SIZE = 200
OPSYN_RETENTION_BATCH_MAX = 5000
OPSYN_RETENTION_BATCH_TARGET_MS = 20
# Celery's Django fixup closes every database connection before and after
# each task unless this is set; reconnecting costs more than a small task.
# Connections are then recycled after this many tasks, closed once older
# than CONN_MAX_AGE, and checked after a failed task (shared_apps/jobs/apps.py).
CELERY_DB_REUSE_MAX = 1000
