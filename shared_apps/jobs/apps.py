import time
from typing import Any

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "shared_apps.jobs"
    label = "jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        from celery.signals import task_failure, task_postrun

        # Workers keep their database connections between tasks
        # (CELERY_DB_REUSE_MAX). A connection older than CONN_MAX_AGE is
        # closed after the task that finds it so; after a failed task every
        # connection is checked (and closed if broken), as after a request.
        # Checking after every task would cost each task a round trip.
        task_postrun.connect(_close_aged_connections, dispatch_uid="opsyn.jobs.age")
        task_failure.connect(_close_old_connections, dispatch_uid="opsyn.jobs.fail")


def _is_eager(sender: Any) -> bool:
    # An eager task runs inside its caller's connection (and transaction).
    return bool(getattr(getattr(sender, "request", None), "is_eager", False))


def _close_aged_connections(sender: Any = None, **_: Any) -> None:
    from django.db import connections

    if _is_eager(sender):
        return
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        if conn.close_at is not None and now >= conn.close_at:
            conn.close()


def _close_old_connections(sender: Any = None, **_: Any) -> None:
    from django.db import close_old_connections

    if _is_eager(sender):
        return
    close_old_connections()
