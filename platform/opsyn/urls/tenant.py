"""URLs served on a tenant's hosts."""

from django.urls import include, path
from django.views.generic import RedirectView

from opsyn.access import public
from shared_apps.health.views import live

urlpatterns = [
    path(
        "", public(RedirectView.as_view(pattern_name="contacts:list", permanent=False))
    ),
    path("", include("shared_apps.accounts.urls")),
    path("", include("tenant_apps.members.urls")),
    path("", include("tenant_apps.identity_settings.urls")),
    path("", include("tenant_apps.invitations.urls")),
    path("contacts/", include("tenant_apps.contacts.urls")),
    path("audit/", include("tenant_apps.audit.urls")),
    path("retention/", include("tenant_apps.retention.urls")),
    path("", include("tenant_apps.access.urls")),
    path("healthz", live, name="live"),
]
