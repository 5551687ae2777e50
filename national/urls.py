"""Pages of the national sync (/dong-bo-quoc-gia/)."""

from django.urls import path

from . import views

app_name = "national"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("ho-so/<int:pk>/gui-lai/", views.resend, name="resend"),
]
