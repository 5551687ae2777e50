"""API v1 routes of the national sync (api.md "National portal (DVCQG) synchronisation")."""

from django.urls import path

from . import views

urlpatterns = [
    path("national/dossiers/", views.NationalDossierInbound.as_view(), name="api-national-dossiers"),
    path("national/sync/", views.NationalSyncList.as_view(), name="api-national-sync"),
    path("national/synced-share/", views.NationalSyncedShare.as_view(), name="api-national-synced-share"),
]
