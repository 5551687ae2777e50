"""API v1 routes of the reporting app."""

from django.urls import path

from . import views

urlpatterns = [
    path("reports/on-time/", views.OnTimeReportView.as_view(), name="api-report-on-time"),
    path("reports/index-766/", views.Index766View.as_view(), name="api-report-index-766"),
    path("reports/dossiers/", views.ReportDossiersView.as_view(), name="api-report-dossiers"),
]
