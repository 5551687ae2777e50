from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .delivery import retry_failed
from .models import Notice, NoticeStatus
from .services import publish_send


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """The outbox: what was sent, what waits and why, and the failed notices to put back."""

    list_display = ["created_at", "event", "channel", "recipient", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "channel", "event"]
    search_fields = ["recipient", "dossier__code", "dedupe_key", "subject"]
    date_hierarchy = "created_at"
    list_select_related = ["dossier"]
    readonly_fields = [f.name for f in Notice._meta.fields]
    actions = ["put_back", "send_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Gửi lại các thông báo lỗi đã chọn"))
    def put_back(self, request, queryset):
        count = retry_failed(queryset.filter(status=NoticeStatus.FAILED).values_list("pk", flat=True))
        self.message_user(request, ngettext("Đã đưa %(n)d thông báo vào hàng đợi.",
                                            "Đã đưa %(n)d thông báo vào hàng đợi.", count) % {"n": count})

    @admin.action(description=_("Gửi ngay các thông báo đang chờ đã chọn"))
    def send_now(self, request, queryset):
        ids = list(queryset.filter(status=NoticeStatus.QUEUED).values_list("pk", flat=True))
        handed = 0
        for notice_id in ids:
            if not publish_send(notice_id):
                self.message_user(request, _("Hàng đợi (Redis) không sẵn sàng; thông báo sẽ được gửi lại sau."),
                                  messages.WARNING)
                break
            handed += 1
        self.message_user(request, ngettext("Đã chuyển %(n)d thông báo để gửi.",
                                            "Đã chuyển %(n)d thông báo để gửi.", handed) % {"n": handed})
