from django.apps import AppConfig


class SessionsConfig(AppConfig):
    name = "shared_apps.sessions"
    label = "opsyn_sessions"
    verbose_name = "Sessions"
