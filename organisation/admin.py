from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .auth import AdminLoginForm
from .models import AdminUnit, Agency, Department, Desk, StaffMembership
from .names import display_name
from .selectors import is_administrator

admin.site.site_header = _("MotCua – Quản trị")
# Says so when the log-in is locked (organisation.auth); unlock under "Axes › Access attempts".
admin.site.login_form = AdminLoginForm


def administrators_only(request) -> bool:
    """The admin is for administrators only (`is_administrator`), not for every staff account."""
    return is_administrator(request.user)


admin.site.has_permission = administrators_only


@admin.register(AdminUnit)
class AdminUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name"]


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0


class DeskInline(admin.TabularInline):
    model = Desk
    extra = 0


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name"]
    inlines = [DepartmentInline, DeskInline]


@admin.register(StaffMembership)
class StaffMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "person_name", "agency", "role", "department"]
    list_filter = ["role", "agency"]
    search_fields = ["user__username", "agency__code", "agency__name"]
    autocomplete_fields = ["agency"]

    @admin.display(description=_("Họ và tên"))
    def person_name(self, obj):
        return display_name(obj.user)


# Accounts: the full name in Vietnamese order (family name first), one column, as everywhere else.
User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    list_display = ["username", "person_name", "email", "is_staff", "is_active"]
    search_fields = ["username", "last_name", "first_name", "email"]
    ordering = ["last_name", "first_name", "username"]

    @admin.display(description=_("Họ và tên"), ordering="last_name")
    def person_name(self, obj):
        return display_name(obj)
