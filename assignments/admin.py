from django.contrib import admin

from .models import Directive, ExtensionRequest, Task, TaskEvent, TaskReport


@admin.register(Directive)
class DirectiveAdmin(admin.ModelAdmin):
    list_display = ("number", "issued_on", "signer", "issuing_agency")
    search_fields = ("number", "title")
    list_filter = ("issuing_agency",)


class EventInline(admin.TabularInline):
    model = TaskEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "action", "actor_name", "from_status", "to_status", "note")
    exclude = ("actor",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    """Read-mostly: tasks change through the services (the pages and the API), which keep the history."""

    list_display = ("id", "title", "lead_agency", "assigner", "status", "due_on", "verdict")
    list_filter = ("status", "verdict", "assigner")
    search_fields = ("title", "directive__number")
    readonly_fields = [f.name for f in Task._meta.fields]
    inlines = [EventInline]

    def has_add_permission(self, request):
        return False


@admin.register(ExtensionRequest)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ("task", "requested_at", "old_due_on", "proposed_due_on", "state")
    list_filter = ("state",)
    readonly_fields = [f.name for f in ExtensionRequest._meta.fields]


@admin.register(TaskReport)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("task", "kind", "percent", "submitted_at", "outcome")
    readonly_fields = [f.name for f in TaskReport._meta.fields]
