"""URLs served on the platform's own host: the operator console."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from opsyn.access import public

admin.site.site_header = "OpSyn operator console"
admin.site.site_title = "OpSyn operators"
admin.site.index_title = "Platform"

urlpatterns = [
    path("", public(RedirectView.as_view(url="/console/", permanent=False))),
    path("console/", admin.site.urls),
    path("", include("shared_apps.health.urls")),
]
