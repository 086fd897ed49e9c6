from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("export/", views.export, name="export"),
    path("exports/<str:token>/", views.download, name="download"),
]
