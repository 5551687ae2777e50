"""Pages of the worktime app."""

from django.urls import path

from . import views

app_name = "worktime"

urlpatterns = [
    path("", views.calculator, name="calculator"),
    path("ngay-nghi/", views.calendar_page, name="calendar"),
]
