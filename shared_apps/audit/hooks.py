"""Wire the audit log into Django: connections, migrations, provisioning."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django_tenants.signals import schema_migrated

from . import security

log = logging.getLogger(__name__)


def connect() -> None:
    connection_created.connect(_on_connection, dispatch_uid="opsyn.audit.context")
    schema_migrated.connect(_on_schema_migrated, dispatch_uid="opsyn.audit.install")
    user_logged_in.connect(_on_signed_in, dispatch_uid="opsyn.audit.signed_in")
    security.install()


def _on_connection(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    from .dbcontext import attach

    attach(connection)


def _on_schema_migrated(sender: Any, schema_name: str, **kwargs: Any) -> None:
    """Install triggers and re-apply grants after a migrate, clone or claim."""
    secure_schema(schema_name)


def secure_schema(schema: str) -> int:
    """Install the audit triggers of a schema and re-apply every grant."""
    from . import capture, grants

    tracked = capture.install(
        schema, min_retention_days=settings.OPSYN_AUDIT_MIN_RETENTION_DAYS
    )
    if capture._has_table(schema, capture.log_tables(schema).event):
        if schema == capture.PUBLIC:
            from .provisioning import install_claim_function

            install_claim_function(app_role=settings.OPSYN_DB_APP_ROLE)
        grants.apply(schema)
    return tracked


def _on_signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """From sign-in on, the request's writes belong to the signed-in user."""
    from opsyn import context

    # Only inside a request's context (the routing middleware binds one);
    # a sign-in outside it (a test client's login) must not leak an actor.
    if context.current().request_id:
        context.update(actor=f"user:{user.pk}")
