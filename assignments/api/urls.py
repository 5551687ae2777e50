from django.urls import path

from . import views

urlpatterns = [
    path("directives/", views.DirectiveList.as_view(), name="api-directives"),
    path("tasks/", views.TaskList.as_view(), name="api-tasks"),
    path("tasks/report/", views.TaskReport.as_view(), name="api-task-report"),
    path("tasks/report/tasks/", views.TaskReportTasks.as_view(), name="api-task-report-tasks"),
    path("tasks/import/", views.TaskImport.as_view(), name="api-task-import"),
    path("tasks/<int:pk>/", views.TaskDetail.as_view(), name="api-task"),
    path("tasks/<int:pk>/actions/<slug:action>/", views.TaskAction.as_view(), name="api-task-action"),
]
