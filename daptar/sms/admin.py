from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from daptar.sms.models import InboundSMS


@admin.register(InboundSMS)
class InboundSMSAdmin(admin.ModelAdmin):
    """The operator's read-only log of SMS offices sent in, and the answers they got."""

    list_display = ["created_at", "sender", "text", "command", "outcome", "unit"]
    list_filter = ["outcome", "command", "gateway"]
    search_fields = ["sender", "phone", "message_id"]
    show_full_result_count = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
