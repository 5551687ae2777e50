"""Catalogue administration: fields, procedures with their components and steps, full history."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from organisation.errors import ValidationFailed
from organisation.models import AgencyLevel

from . import formdefs, services
from .formtext import definition_error_text
from .models import Component, Field, FormDefinition, Procedure, ProcedureStatus, ProcedureStep


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class ComponentInline(admin.TabularInline):
    model = Component
    extra = 0
    fields = ["order", "name", "kind", "count", "required", "held_in", "blank_form"]


class ProcedureStepInline(admin.TabularInline):
    model = ProcedureStep
    extra = 0
    fields = ["order", "name", "performer", "agency", "department_name", "role", "allowance_hours"]
    autocomplete_fields = ["agency"]


class ProcedureForm(forms.ModelForm):
    """Agency levels as check boxes, stored as the comma-separated list the search filters on."""

    agency_levels = forms.MultipleChoiceField(
        label=_("cấp thực hiện"), choices=AgencyLevel.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Procedure
        fields = ["code", "name", "field", "status", "effective_from", "effective_to", "agency_levels", "agencies",
                  "time_limit_amount", "time_limit_unit", "committed_amount", "fee_text", "fee_amount",
                  "online_mode", "online_only", "on_the_spot", "full_online_eligible", "paper_result", "boundary_free",
                  "requirements", "result", "legal_basis"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.pk:
            self.initial["agency_levels"] = self.instance.level_list

    def clean_agency_levels(self):
        return ",".join(self.cleaned_data["agency_levels"])

    def clean(self):
        data = super().clean()
        limit, committed = data.get("time_limit_amount"), data.get("committed_amount")
        if limit is not None and committed is not None and committed > limit:
            self.add_error("committed_amount", _("Thời hạn cam kết không được dài hơn thời hạn giải quyết."))
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            self.add_error("effective_to", _("Ngày hết hiệu lực trước ngày có hiệu lực."))
        return data


class EffectiveFilter(admin.SimpleListFilter):
    title = _("hiệu lực hôm nay")
    parameter_name = "in_effect"

    def lookups(self, request, model_admin):
        return [("yes", _("Đang công khai")), ("no", _("Không công khai"))]

    def queryset(self, request, queryset):
        from .selectors import public_procedures

        public = public_procedures().values("id")
        if self.value() == "yes":
            return queryset.filter(id__in=public)
        if self.value() == "no":
            return queryset.exclude(id__in=public)
        return queryset


@admin.register(Procedure)
class ProcedureAdmin(SimpleHistoryAdmin):
    form = ProcedureForm
    change_list_template = "procedures/admin/procedure_change_list.html"
    list_display = ["code", "name", "field", "agency_levels", "time_limit_amount", "time_limit_unit", "online_mode",
                    "status", "effective_from", "effective_to"]
    list_filter = ["status", EffectiveFilter, "online_mode", "time_limit_unit", "on_the_spot", "online_only", "boundary_free",
                   "field"]
    list_select_related = ["field"]
    search_fields = ["code", "name", "search_text"]
    autocomplete_fields = ["field"]
    filter_horizontal = ["agencies"]
    inlines = [ComponentInline, ProcedureStepInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["code", "name", "field", "status", ("effective_from", "effective_to")]}),
        (_("Thực hiện"), {"fields": ["agency_levels", "agencies", "boundary_free"]}),
        (_("Thời hạn, phí"), {"fields": [("time_limit_amount", "time_limit_unit"), "committed_amount",
                                           ("fee_text", "fee_amount")]}),
        (_("Trực tuyến"), {"fields": ["online_mode", "online_only", "on_the_spot", "full_online_eligible",
                                       "paper_result"]}),
        (_("Nội dung"), {"fields": ["requirements", "result", "legal_basis"]}),
    ]

    @admin.action(description=_("Công bố các thủ tục đã chọn"))
    def publish(self, request, queryset):
        self._set_status(request, queryset, ProcedureStatus.PUBLISHED)

    @admin.action(description=_("Chuyển các thủ tục đã chọn về dự thảo"))
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, ProcedureStatus.DRAFT)

    def _set_status(self, request, queryset, status):
        changed = services.set_status(queryset, status)
        self.message_user(request, _("Đã cập nhật %(n)d thủ tục.") % {"n": changed})


class FormDefinitionForm(forms.ModelForm):
    """A new version of a procedure's electronic form: the JSON is checked by the same parser as the import."""

    class Meta:
        model = FormDefinition
        fields = ["procedure", "effective_from", "definition"]

    def clean_definition(self):
        definition = self.cleaned_data["definition"]
        try:
            formdefs.parse(definition)
        except formdefs.DefinitionError as exc:
            raise forms.ValidationError(definition_error_text(exc)) from None
        return definition


@admin.register(FormDefinition)
class FormDefinitionAdmin(SimpleHistoryAdmin):
    """Versions are never edited in place (dossiers keep the version they were filed with): saving a changed
    definition, from the add page or from an existing version's page, publishes a new version."""

    form = FormDefinitionForm
    list_display = ["procedure", "version", "effective_from", "created_at"]
    list_select_related = ["procedure"]
    search_fields = ["procedure__code", "procedure__name"]
    autocomplete_fields = ["procedure"]
    readonly_fields = ["version"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.dossiers.exists()

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return
        try:
            saved = services.save_form_definition(obj.procedure, form.cleaned_data["definition"],
                                                  effective_from=obj.effective_from, user=request.user)
        except ValidationFailed as exc:  # checked by the form already; kept for a race with another change
            raise forms.ValidationError(str(exc.detail)) from None
        obj.pk, obj.version, obj.created_at = saved.pk, saved.version, saved.created_at
        if change:
            self.message_user(request, _("Đã lưu thành phiên bản %(version)d; phiên bản cũ được giữ nguyên.")
                              % {"version": saved.version})
