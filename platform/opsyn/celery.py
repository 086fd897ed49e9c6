"""The Celery application, and the two kinds of task the platform runs.

Tenant tasks carry the schema they were sent from in a message header and
run inside it; one that arrives without a tenant refuses to run. Platform
tasks run in the public schema (dispatchers, heartbeats).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any, cast

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsyn.settings")

TENANT_HEADER = "opsyn_tenant"

log = logging.getLogger(__name__)

app = Celery("opsyn")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class TenantRequired(Exception):
    """A tenant task was delivered without a tenant it may run in."""


class TenantTask(Task):  # type: ignore[type-arg]
    """A task that runs in the schema of the tenant that sent it."""

    abstract = True

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
        return super().apply_async(args, kwargs, headers=headers, **options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from shared_apps.tenants import selectors
        from shared_apps.tenants.activation import use_public, use_tenant

        schema = self._sent_from()
        tenant = selectors.runnable_tenant_for_schema(schema) if schema else None
        if tenant is None:
            log.error(
                "task.refused",
                extra={"task": self.name, "schema": schema or "-", "reason": "tenant"},
            )
            raise TenantRequired(f"{self.name} has no active tenant (got {schema!r})")
        use_tenant(tenant)
        try:
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
        return super().__call__(*args, **kwargs)


TaskDecorator = Callable[[Callable[..., Any]], "Task[Any, Any]"]


def tenant_task(**options: Any) -> TaskDecorator:
    """Declare a task that runs inside the tenant it was sent from."""
    return cast(TaskDecorator, app.task(base=TenantTask, **options))


def platform_task(**options: Any) -> TaskDecorator:
    """Declare a task that runs in the public schema."""
    return cast(TaskDecorator, app.task(base=PlatformTask, **options))
