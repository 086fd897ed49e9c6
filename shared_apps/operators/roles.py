"""What each global role may do on the platform's own entities.

Platform entities are named ``platform.<thing>``; every console model and
CLI command maps to one. Global roles carry no tenant grants at all.
"""

from __future__ import annotations

from .models import GlobalRole

# Every console page and CLI command names one of these.
PLATFORM_ENTITIES = (
    "platform.console",
    "platform.tenant",
    "platform.domain",
    "platform.preparedschema",
    "platform.schema",
    "platform.user",
    "platform.operatorrole",
    "platform.supportaccess",
    "platform.demo",
    "platform.cli",
    "platform.jobrun",
    "platform.tenantschedule",
    "platform.backup",
    "platform.restore",
    "platform.incident",
    "platform.session",
    "platform.auditlog",
    "platform.platformevent",
    "platform.purgereceipt",
    "platform.reporting",
)

# role → actions allowed on every platform entity, with "*" meaning all.
GLOBAL_GRANTS: dict[str, frozenset[str]] = {
    GlobalRole.PLATFORM_ADMIN: frozenset({"*"}),
    GlobalRole.SUPPORT: frozenset({"view"}),
}
