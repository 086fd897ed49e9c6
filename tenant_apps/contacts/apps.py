from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "tenant_apps.contacts"
    label = "contacts"
    verbose_name = "Contacts"
