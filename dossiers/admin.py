"""Dossiers in the admin: for looking and auditing. Every change of a dossier goes through its services
(the desk screens and the API), so the admin shows dossiers read-only, with their history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Apology,
    Dossier,
    DossierCodeSequence,
    DossierComponent,
    Step,
    SupplementRequest,
    TimelineEvent,
)


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class StepInline(ReadOnlyInline):
    model = Step
    fields = ["order", "name", "agency", "assignee", "started_at", "due_at", "finished_at", "verdict", "handed_by"]
    readonly_fields = fields


class ComponentInline(ReadOnlyInline):
    model = DossierComponent
    fields = ["name", "kind", "count", "file", "content_type", "supplement_round", "added_at"]
    readonly_fields = fields


class SupplementInline(ReadOnlyInline):
    model = SupplementRequest
    fields = ["round", "requested_at", "requested_by", "items", "reason", "replied_at"]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = TimelineEvent
    fields = ["at", "action", "actor_name", "from_status", "to_status", "note", "public"]
    readonly_fields = fields


@admin.register(Dossier)
class DossierAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "procedure", "agency", "status", "applicant_name", "received_at", "appointment_at",
                    "verdict", "is_late"]
    list_filter = ["status", "channel", "verdict", "is_late", "agency"]
    search_fields = ["code", "applicant_name", "applicant_search", "applicant_phone", "applicant_id_number"]
    date_hierarchy = "received_at"
    list_select_related = ["procedure", "agency"]
    raw_id_fields = ["procedure", "agency", "current_agency", "citizen", "received_by", "created_by"]
    inlines = [StepInline, ComponentInline, SupplementInline, EventInline]
    readonly_fields = [f.name for f in Dossier._meta.fields]
    history_list_display = ["status", "version"]


@admin.register(Apology)
class ApologyAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["dossier", "issued_at", "old_appointment_at", "new_appointment_at"]
    list_select_related = ["dossier"]
    readonly_fields = ["dossier", "issued_at", "issued_by", "reason", "old_appointment_at", "new_appointment_at"]


@admin.register(DossierCodeSequence)
class DossierCodeSequenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["agency", "day", "last"]
    list_filter = ["agency"]
    date_hierarchy = "day"
