from django.contrib import admin

from .models import PopulationLookup


@admin.register(PopulationLookup)
class PopulationLookupAdmin(admin.ModelAdmin):
    """Read-only: the audit of the uses of the population database."""

    list_display = ("at", "id_number", "citizen", "purpose", "outcome", "dossier")
    list_filter = ("outcome",)
    search_fields = ("id_number",)
    readonly_fields = [f.name for f in PopulationLookup._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
