from django.contrib import admin

from .models import PostalOrder, TrackingEvent


class TrackingInline(admin.TabularInline):
    model = TrackingEvent
    extra = 0
    readonly_fields = ("event_id", "at", "status", "note", "source", "received_at")
    can_delete = False


@admin.register(PostalOrder)
class PostalOrderAdmin(admin.ModelAdmin):
    list_display = ("order_number", "direction", "status", "carrier_order_id", "updated_at")
    list_filter = ("direction", "status")
    search_fields = ("order_number", "carrier_order_id")
    inlines = [TrackingInline]
    readonly_fields = [f.name for f in PostalOrder._meta.fields]

    def has_add_permission(self, request):
        return False
