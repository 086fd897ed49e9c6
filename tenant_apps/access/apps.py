from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "tenant_apps.access"
    label = "access"
    verbose_name = "Access"

    def ready(self) -> None:
        from .catalogue import discover

        # Each app's permissions.py declares its modules, entities and
        # actions; importing them all here fills the one catalogue.
        discover()
