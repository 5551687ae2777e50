"""Pages of the procedures app."""

from django.urls import path

from . import views

app_name = "procedures"

urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("nhap-khau/", views.catalogue_import, name="import"),
    path("xuat-khau/", views.catalogue_export, name="export"),
    path("<str:code>/", views.procedure_detail, name="detail"),
    path("<str:code>/to-khai.pdf", views.blank_form_pdf, name="blank_form"),
]
