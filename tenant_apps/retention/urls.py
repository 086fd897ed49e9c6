from django.urls import path

from . import views

app_name = "retention"
urlpatterns = [
    path("", views.policy, name="policy"),
    path("holds/", views.place_hold, name="place-hold"),
    path("holds/<int:hold_id>/release/", views.release_hold, name="release-hold"),
]
