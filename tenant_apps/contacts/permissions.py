"""What the contacts module declares to the access catalogue."""

from tenant_apps.access.catalogue import catalogue

catalogue.module("contacts", "Contacts")
catalogue.entity(
    "contacts.contact",
    module="contacts",
    label="Contacts",
    owner_field="created_by_id",
)
