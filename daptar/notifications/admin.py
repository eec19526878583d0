from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from daptar.lib.requests import admin_user
from daptar.notifications import actions
from daptar.notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxAdmin(admin.ModelAdmin):
    """The operator's window on outbound messages: what is stuck, and why."""

    list_display = [
        "created_at",
        "channel",
        "address",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "report",
    ]
    list_filter = ["status", "channel", "report"]
    search_fields = ["address", "subject"]
    actions = ["retry_now"]
    show_full_result_count = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in OutboxMessage._meta.fields]

    @admin.action(description=_("Retry now"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        count = actions.retry_messages(ids, by=admin_user(request))
        messages.success(
            request,
            ngettext("%(n)s message queued again.", "%(n)s messages queued again.", count)
            % {"n": count},
        )
