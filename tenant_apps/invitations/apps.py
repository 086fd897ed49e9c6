from django.apps import AppConfig


class InvitationsConfig(AppConfig):
    name = "tenant_apps.invitations"
    label = "invitations"
    verbose_name = "Invitations"
