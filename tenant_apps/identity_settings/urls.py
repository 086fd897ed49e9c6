from django.urls import path

from . import views

urlpatterns = [
    path("settings/sign-in/", views.identity_settings, name="identity-settings"),
]
