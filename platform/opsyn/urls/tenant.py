"""URLs served on a tenant's hosts."""

from django.urls import include, path
from django.views.generic import RedirectView

from opsyn.access import public
from shared_apps.health.views import live

urlpatterns = [
    path(
        "", public(RedirectView.as_view(pattern_name="contacts:list", permanent=False))
    ),
    path("", include("tenant_apps.members.urls")),
    path("contacts/", include("tenant_apps.contacts.urls")),
    path("healthz", live, name="live"),
]
