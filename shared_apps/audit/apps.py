from django.apps import AppConfig


class PlatformAuditConfig(AppConfig):
    name = "shared_apps.audit"
    label = "platform_audit"
    verbose_name = "Platform audit"

    def ready(self) -> None:
        from . import hooks

        hooks.connect()
