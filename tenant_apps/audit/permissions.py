"""What the audit log declares to the access catalogue."""

from tenant_apps.access.catalogue import catalogue

# The organisation's own record of what happened: it cannot be switched off.
catalogue.module("audit", "Audit log", toggleable=False)
catalogue.entity(
    "audit.event",
    module="audit",
    label="Audit log",
    administrative=True,
)
