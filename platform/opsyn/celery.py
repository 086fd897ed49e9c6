"""The Celery application, and the two kinds of task the platform runs.

Tenant tasks carry the schema they were sent from in a message header and
run inside it; one that arrives without a tenant refuses to run. Platform
tasks run in the public schema (dispatchers, heartbeats).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, cast

from celery import Celery, Task
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsyn.settings")

TENANT_HEADER = "opsyn_tenant"
# Who asked for the task: its writes are audited as "<sender> via task:<name>".
ACTOR_HEADER = "opsyn_actor"

log = logging.getLogger(__name__)

app = Celery("opsyn")


@worker_init.connect
@beat_init.connect
def _start_monitoring(**_: Any) -> None:
    from opsyn import monitoring

    monitoring.configure()


app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class TenantRequired(Exception):
    """A tenant task was delivered without a tenant it may run in."""


class TenantTask(Task):  # type: ignore[type-arg]
    """A task that runs in the schema of the tenant that sent it."""

    abstract = True
    # An expected refusal: Celery logs it in one line, without a traceback.
    throws = (TenantRequired,)

    # The signature is Celery's; only the headers are touched.
    def apply_async(  # type: ignore[override]
        self, args: Any = None, kwargs: Any = None, **options: Any
    ) -> Any:
        """Send the task stamped with the current tenant's schema.

        Sending one from outside a tenant is refused here, before it is
        queued. ``app.send_task`` bypasses this and sends no tenant, so what
        it sends refuses to run.
        """
        from shared_apps.tenants.activation import PUBLIC_SCHEMA, current_schema

        headers = dict(options.pop("headers", None) or {})
        schema = headers.get(TENANT_HEADER) or current_schema()
        if schema == PUBLIC_SCHEMA:
            raise TenantRequired(f"{self.name} must be sent from inside a tenant")
        headers[TENANT_HEADER] = schema
        headers.setdefault(ACTOR_HEADER, _sender())
        return super().apply_async(args, kwargs, headers=headers, **options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from shared_apps.tenants import selectors
        from shared_apps.tenants.activation import use_public, use_tenant

        schema = self._sent_from()
        tenant = selectors.runnable_tenant_for_schema(schema) if schema else None
        if tenant is None:
            # No tenant at all is a producer's bug; a tenant that has since
            # been suspended or deleted is the ordinary end of queued work.
            log.log(
                logging.WARNING if schema else logging.ERROR,
                "task.refused",
                extra={"task": self.name, "schema": schema or "-", "reason": "tenant"},
            )
            raise TenantRequired(f"{self.name} has no active tenant (got {schema!r})")
        use_tenant(tenant)
        try:
            with _task_context(self):
                return super().__call__(*args, **kwargs)
        finally:
            use_public()

    def _sent_from(self) -> str | None:
        request = self.request
        schema = getattr(request, TENANT_HEADER, None)
        if schema is None and request.headers:
            schema = request.headers.get(TENANT_HEADER)
        return schema or None


class PlatformTask(Task):  # type: ignore[type-arg]
    """A task that runs in the public schema, whatever sent it."""

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from shared_apps.tenants.activation import use_public

        use_public()
        with _task_context(self):
            return super().__call__(*args, **kwargs)


def _sender() -> str:
    from opsyn import context

    return context.current().actor


def _task_context(task: Task) -> AbstractContextManager[object]:  # type: ignore[type-arg]
    """Bind the audit actor of a task: its sender, via the task's name."""
    from opsyn import context

    request = task.request
    sender = getattr(request, ACTOR_HEADER, None)
    if sender is None and request.headers:
        sender = request.headers.get(ACTOR_HEADER)
    job = f"task:{task.name}"
    actor = f"{sender} via {job}" if sender else job
    return context.bound(
        actor=actor, request_id=str(request.id or ""), ip="", session=""
    )


TaskDecorator = Callable[[Callable[..., Any]], "Task[Any, Any]"]


def tenant_task(**options: Any) -> TaskDecorator:
    """Declare a task that runs inside the tenant it was sent from."""
    return cast(TaskDecorator, app.task(base=TenantTask, **options))


def platform_task(**options: Any) -> TaskDecorator:
    """Declare a task that runs in the public schema."""
    return cast(TaskDecorator, app.task(base=PlatformTask, **options))
