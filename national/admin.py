"""Administration of the national sync: the procedure mapping (editable, refreshable from LayThuTuc),
each dossier's sync state with the resend action, and the outbox (read only)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .client import NationalError
from .models import OutboxEntry, ProcedureMapping, SyncState


@admin.register(ProcedureMapping)
class ProcedureMappingAdmin(admin.ModelAdmin):
    list_display = ["procedure", "national_code", "national_name", "field_code", "refreshed_at"]
    search_fields = ["procedure__code", "procedure__name", "national_code", "national_name"]
    autocomplete_fields = ["procedure"]
    readonly_fields = ["refreshed_at"]
    actions = ["refresh"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.national_code:
            services.release_blocked([obj.procedure_id])  # its dossiers held back go out now

    @admin.action(description=_("Cập nhật tên thủ tục, lĩnh vực từ Cổng quốc gia (LayThuTuc)"))
    def refresh(self, request, queryset):
        done = 0
        for mapping in queryset.select_related("procedure"):
            try:
                services.refresh_procedure(mapping.procedure)
                done += 1
            except (NationalError, ValueError) as exc:
                self.message_user(request, f"{mapping.procedure.code}: {exc}", messages.WARNING)
        self.message_user(request, ngettext("Đã cập nhật %(n)d thủ tục từ Cổng quốc gia.", "Đã cập nhật %(n)d thủ tục từ Cổng quốc gia.", done)
                          % {"n": done})


@admin.register(SyncState)
class SyncStateAdmin(admin.ModelAdmin):
    list_display = ["dossier", "held_since", "synced_at", "attempts", "retry_at", "last_error"]
    list_filter = [("held_since", admin.EmptyFieldListFilter), ("attempts", admin.AllValuesFieldListFilter)]
    search_fields = ["dossier__code", "dossier__national_code"]
    list_select_related = ["dossier"]
    readonly_fields = [f.name for f in SyncState._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Gửi lại lên Cổng quốc gia"))
    def resend(self, request, queryset):
        from dossiers.models import Dossier

        count = services.resend(Dossier.objects.filter(pk__in=queryset.values("pk")))
        self.message_user(request, ngettext("Đã đưa %(n)d hồ sơ vào hàng đợi đồng bộ.",
                                            "Đã đưa %(n)d hồ sơ vào hàng đợi đồng bộ.", count) % {"n": count})


@admin.register(OutboxEntry)
class OutboxEntryAdmin(admin.ModelAdmin):
    list_display = ["id", "dossier", "service", "created_at", "sent_at", "attempts", "next_attempt_at"]
    list_filter = ["service", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["dossier__code", "dossier__national_code"]
    list_select_related = ["dossier"]
    readonly_fields = [f.name for f in OutboxEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
