from django.urls import path

from . import views

urlpatterns = [
    path("members/sessions/", views.member_sessions, name="member-sessions"),
]
