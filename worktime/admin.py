"""Admin of the working calendar. Every save and delete invalidates the cached calendars; an edited day
is marked as an administrator's, so the holiday sync never overwrites it."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from organisation.errors import ValidationFailed

from . import services
from .models import CalendarDay, OfficeSession


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "agency", "working", "label", "sessions"]

    def clean_sessions(self):
        try:
            return services.format_sessions(services.parse_sessions(self.cleaned_data.get("sessions", "")))
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.fields.get("sessions") or [str(exc.detail)]) from None


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    form = CalendarDayForm
    list_display = ["date", "label", "working", "agency", "sessions", "source"]
    list_filter = ["working", "source", ("agency", admin.EmptyFieldListFilter)]
    search_fields = ["label", "agency__code", "agency__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["agency"]
    readonly_fields = ["source"]
    actions = ["sync_this_and_next_year"]

    def save_model(self, request, obj, form, change):
        obj.source = services.SOURCE_ADMIN
        super().save_model(request, obj, form, change)
        services.bump_calendar_version()

    def delete_model(self, request, obj):
        """A national day the `holidays` package knows stays as a removal marker (see services.remove_day)."""
        if obj.source == services.SOURCE_REMOVED:
            super().delete_model(request, obj)
            services.bump_calendar_version()
        else:
            services.remove_day(obj.date, obj.agency)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    @admin.action(description=_("Đồng bộ ngày lễ năm nay và năm sau từ gói holidays"))
    def sync_this_and_next_year(self, request, queryset):
        year = timezone.localdate().year
        counts = services.sync_holidays([year, year + 1])
        self.message_user(
            request,
            _("Đã đồng bộ: %(created)s thêm, %(updated)s sửa, %(deleted)s xóa, %(kept)s giữ nguyên do quản trị sửa.")
            % counts.as_dict(),
            messages.SUCCESS,
        )


class OfficeSessionForm(forms.ModelForm):
    class Meta:
        model = OfficeSession
        fields = ["agency", "start", "end"]

    def clean(self):
        data = super().clean()
        start, end, agency = data.get("start"), data.get("end"), data.get("agency")
        if start and end:
            if end <= start:
                raise forms.ValidationError(_("Giờ kết thúc phải sau giờ bắt đầu."))
            overlapping = OfficeSession.objects.filter(agency=agency, start__lt=end, end__gt=start).exclude(
                pk=self.instance.pk
            )
            if overlapping.exists():
                raise forms.ValidationError(_("Buổi làm việc này chồng lên một buổi đã có của cùng cơ quan."))
        return data


@admin.register(OfficeSession)
class OfficeSessionAdmin(admin.ModelAdmin):
    form = OfficeSessionForm
    list_display = ["agency", "start", "end"]
    list_filter = [("agency", admin.EmptyFieldListFilter)]
    autocomplete_fields = ["agency"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.bump_calendar_version()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.bump_calendar_version()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        services.bump_calendar_version()
