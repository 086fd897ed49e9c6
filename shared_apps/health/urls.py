from django.urls import path

from . import views

app_name = "health"
urlpatterns = [
    path("healthz", views.live, name="live"),
    path("readyz", views.ready, name="ready"),
]
