from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "tenant_apps.members"
    label = "members"
    verbose_name = "Members"
