"""API v1 routes of the worktime app (public)."""

from django.urls import path

from . import views

urlpatterns = [
    path("calendar/appointment/", views.AppointmentView.as_view(), name="api-calendar-appointment"),
    path("calendar/days/", views.DaysView.as_view(), name="api-calendar-days"),
]
