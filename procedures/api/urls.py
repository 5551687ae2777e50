"""API v1 routes of the procedures app."""

from django.urls import path

from . import views

urlpatterns = [
    path("procedures/", views.ProcedureList.as_view(), name="api-procedures"),
    path("procedures/<str:code>/", views.ProcedureDetail.as_view(), name="api-procedure"),
    path("procedures/<str:code>/form/", views.ProcedureForm.as_view(), name="api-procedure-form"),
]
