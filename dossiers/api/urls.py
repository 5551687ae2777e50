"""API v1 routes of the dossiers app (api.md "Dossiers")."""

from django.urls import path

from . import views

urlpatterns = [
    path("dossiers/", views.DossierListCreate.as_view(), name="api-dossiers"),
    path("dossiers/<str:code>/", views.DossierDetail.as_view(), name="api-dossier"),
    path("dossiers/<str:code>/actions/<str:action>/", views.DossierAction.as_view(), name="api-dossier-action"),
    path("dossiers/<str:code>/timeline/", views.DossierTimeline.as_view(), name="api-dossier-timeline"),
    path("dossiers/<str:code>/notices/", views.DossierNotices.as_view(), name="api-dossier-notices"),
    path("dossiers/<str:code>/documents/<str:form>.pdf", views.DossierDocument.as_view(),
         name="api-dossier-document"),
]
