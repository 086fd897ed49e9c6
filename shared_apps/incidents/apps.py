from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "shared_apps.incidents"
    label = "incidents"
    verbose_name = "Incidents"
