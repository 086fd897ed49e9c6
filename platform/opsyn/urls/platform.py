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
    # Operators sign in through the same throttled, two-factor sign-in as
    # everyone else, not the admin's own login form.
    path(
        "console/login/",
        public(
            RedirectView.as_view(
                url="/sign-in/?next=/console/", permanent=False, query_string=False
            )
        ),
    ),
    path("console/", admin.site.urls),
    path("", include("shared_apps.accounts.urls")),
    path("", include("shared_apps.health.urls")),
]
