"""Pages of assigned tasks (mounted at /nhiem-vu/)."""

from django.urls import path

from . import views

app_name = "assignments"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("giao/", views.assign, name="assign"),
    path("van-ban/moi/", views.directive_new, name="directive_new"),
    path("van-ban/<int:pk>/tep/", views.directive_file, name="directive_file"),
    path("bao-cao/", views.report, name="report"),
    path("bao-cao/xuat-excel/", views.report_xlsx, name="report_xlsx"),
    path("bao-cao/nhiem-vu/", views.report_tasks, name="report_tasks"),
    path("nhap/", views.import_tasks, name="import"),
    path("tep/<int:file_id>/", views.task_file, name="file"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/thao-tac/<slug:action>/", views.task_action, name="action"),
]
