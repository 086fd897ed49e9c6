"""Scheduled work of the audit log."""

from __future__ import annotations

import logging

from django.conf import settings

from opsyn.celery import platform_task

log = logging.getLogger(__name__)


@platform_task(name="audit.write_digests")
def write_digests() -> int:
    """Sign today's chain head of every schema; return how many were written."""
    from shared_apps.tenants.models import Tenant, TenantStatus

    from . import digests

    if not settings.OPSYN_AUDIT_DIGEST_KEY:
        log.warning("audit.digest_skipped", extra={"reason": "no digest key"})
        return 0
    schemas = ["public"]
    schemas += Tenant.objects.exclude(status=TenantStatus.DELETING).values_list(
        "schema_name", flat=True
    )
    for schema in schemas:
        digests.write_digest(schema)
    log.info("audit.digests_written", extra={"count": len(schemas)})
    return len(schemas)
