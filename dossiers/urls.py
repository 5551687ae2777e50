"""Pages of the dossiers app."""

from django.urls import path

from . import views

app_name = "dossiers"

urlpatterns = [
    path("", views.worklist, name="worklist"),
]
