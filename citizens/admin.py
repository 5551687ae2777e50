"""Administration of the portal's records. Counters kept by the services (a slot's `booked`) and the
verification codes' hashes are read-only here."""

from django.contrib import admin

from .models import Booking, CitizenProfile, Draft, DraftFile, Feedback, Rating, Slot, VerificationCode


@admin.register(CitizenProfile)
class CitizenProfileAdmin(admin.ModelAdmin):
    list_display = ("full_name", "user", "phone", "email", "verified_at")
    search_fields = ("full_name", "user__username", "phone", "email", "id_number")
    raw_id_fields = ("user",)


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("dossier", "overall", "time_vs_promise", "visits", "attitude", "source", "created_at")
    list_filter = ("overall", "source")
    raw_id_fields = ("dossier",)
    readonly_fields = ("created_at",)


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("id", "subject", "agency", "status", "received_at", "answer_due_at", "is_late", "published")
    list_filter = ("status", "is_late", "published", "is_complaint")
    search_fields = ("subject", "name", "phone", "email")
    raw_id_fields = ("citizen", "dossier", "answered_by", "handled_by")
    readonly_fields = ("access_token", "refuse_due_at", "info_due_at", "answer_due_at", "late_notified_at")


class DraftFileInline(admin.TabularInline):
    model = DraftFile
    extra = 0
    readonly_fields = ("component", "file", "original_filename", "content_type", "size", "uploaded_at")


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    list_display = ("id", "citizen", "procedure", "updated_at")
    raw_id_fields = ("citizen", "procedure")
    inlines = [DraftFileInline]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ("desk", "start", "end", "capacity", "booked")
    list_filter = ("desk__agency",)
    date_hierarchy = "start"
    readonly_fields = ("booked",)


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("slot", "name", "phone", "status", "reminder_sent_at")
    list_filter = ("status",)
    search_fields = ("name", "phone")
    raw_id_fields = ("slot", "citizen", "procedure")
    readonly_fields = ("status", "cancelled_at", "reminder_sent_at")


@admin.register(VerificationCode)
class VerificationCodeAdmin(admin.ModelAdmin):
    list_display = ("user", "purpose", "channel", "created_at", "expires_at", "attempts", "used_at")
    list_filter = ("purpose", "channel")
    readonly_fields = ("user", "purpose", "channel", "destination", "code_hash", "created_at", "expires_at",
                       "attempts", "used_at")
