from django.contrib import admin

from .models import SignedDocument


@admin.register(SignedDocument)
class SignedDocumentAdmin(admin.ModelAdmin):
    list_display = ("dossier", "kind", "signer_name", "signed_at")
    search_fields = ("dossier__code",)
    readonly_fields = ("dossier", "kind", "file", "source_name", "signer_name", "signed_at", "created_at")

    def has_add_permission(self, request):
        return False
