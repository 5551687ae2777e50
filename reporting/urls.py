"""Pages of the reporting app (/bao-cao/)."""

from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("xu-huong/", views.dashboard_trend, name="trend"),
    path("xuat-excel/", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("bao-cao.pdf", views.report_pdf, name="report_pdf"),
    path("ho-so/", views.dossiers, name="dossiers"),
    path("ho-so/xuat-excel/", views.dossiers_xlsx, name="dossiers_xlsx"),
    path("chi-so-766/", views.index_766, name="index_766"),
    path("cong-khai/", views.public_index, name="public_index"),
    path("cong-khai/<str:code>/", views.public_unit, name="public_unit"),
    path("cong-khai/<str:code>/du-lieu.csv", views.public_unit_data, {"fmt": "csv"}, name="public_unit_csv"),
    path("cong-khai/<str:code>/du-lieu.json", views.public_unit_data, {"fmt": "json"}, name="public_unit_json"),
]
