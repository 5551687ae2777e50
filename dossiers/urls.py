"""Pages of the dossiers app (mounted at /ho-so/)."""

from django.urls import path

from . import views

app_name = "dossiers"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("tiep-nhan/", views.intake_start, name="intake_start"),
    path("tiep-nhan/<str:code>/", views.intake, name="intake"),
    path("tiep-nhan/<str:code>/hen-tra/", views.appointment_preview, name="appointment_preview"),
    path("so-theo-doi/", views.register, name="register"),
    path("so-theo-doi/so-theo-doi.pdf", views.register_pdf, name="register_pdf"),
    path("<str:ref>/", views.detail, name="detail"),
    path("<str:ref>/thao-tac/<slug:name>/", views.action, name="action"),
    path("<str:ref>/in/<slug:form>.pdf", views.document, name="document"),
    path("<str:ref>/to-khai.pdf", views.declaration, name="declaration"),
    path("<str:ref>/tep/<int:component_id>/", views.scan, name="scan"),
    path("<str:ref>/ket-qua/", views.result_file, name="result_file"),
    path("<str:ref>/du-thao/", views.draft_file, name="draft_file"),
]
