from django.urls import path

from . import views

urlpatterns = [
    path("invitations/<str:token>/", views.accept, name="accept-invitation"),
]
