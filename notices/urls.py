"""Pages of the notices app."""

from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("da-doc/", views.mark_read, name="mark_read"),
]
