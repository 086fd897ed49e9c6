from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "shared_apps.security"
    label = "security"
    verbose_name = "Security"
