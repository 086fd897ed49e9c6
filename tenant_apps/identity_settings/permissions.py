"""What the identity settings declare to the access catalogue."""

from tenant_apps.access.catalogue import catalogue

# Part of the organisation's own machinery: reserved to its admins.
catalogue.module("organisation", "Organisation", toggleable=False)
catalogue.entity(
    "identity_settings.policy",
    module="organisation",
    label="Sign-in settings",
    administrative=True,
)
