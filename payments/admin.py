from django.contrib import admin

from .models import Confirmation, FeeExemption, FeeItem, Payment


@admin.register(FeeItem)
class FeeItemAdmin(admin.ModelAdmin):
    list_display = ("procedure", "order", "name", "kind", "amount")
    list_filter = ("kind",)
    search_fields = ("procedure__code", "procedure__name", "name")
    autocomplete_fields = ("procedure",)


@admin.register(FeeExemption)
class FeeExemptionAdmin(admin.ModelAdmin):
    list_display = ("procedure", "name", "percent")
    search_fields = ("procedure__code", "name")
    autocomplete_fields = ("procedure",)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("transaction_id", "dossier", "method", "status", "amount", "credited", "needs_refund", "paid_at")
    list_filter = ("method", "status", "credited", "needs_refund")
    search_fields = ("transaction_id", "gateway_transaction_id", "receipt_number", "dossier__code")
    readonly_fields = [f.name for f in Payment._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Confirmation)
class ConfirmationAdmin(admin.ModelAdmin):
    list_display = ("received_at", "source", "transaction_id", "outcome", "reason", "remote_addr")
    list_filter = ("outcome", "source", "reason")
    search_fields = ("transaction_id",)
    readonly_fields = [f.name for f in Confirmation._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
