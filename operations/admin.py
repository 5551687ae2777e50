from django.contrib import admin

from .models import TaskRunStat


@admin.register(TaskRunStat)
class TaskRunStatAdmin(admin.ModelAdmin):
    list_display = ("task_name", "last_started_at", "last_duration_ms", "last_ok", "runs", "failures")
    readonly_fields = [f.name for f in TaskRunStat._meta.fields]

    def has_add_permission(self, request):
        return False
