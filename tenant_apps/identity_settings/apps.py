from django.apps import AppConfig


class IdentitySettingsConfig(AppConfig):
    name = "tenant_apps.identity_settings"
    label = "identity_settings"
    verbose_name = "Identity settings"
