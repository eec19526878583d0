from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from daptar.letters.models import Letter, Receipt
from daptar.lib.requests import admin_user


class ReceiptInline(admin.TabularInline):
    model = Receipt
    fk_name = "letter"
    fields = ["unit", "via", "state", "received_at", "handled_at", "note"]
    readonly_fields = ["unit", "via", "state", "received_at", "handled_at", "note"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    """Read-only: letters are written through the office pages and the API, never here."""

    list_display = ["memo_no", "subject", "sender", "recipient", "sent_at", "priority"]
    list_filter = ["priority", "confidential", "memo_year"]
    search_fields = ["memo_no", "subject"]
    list_select_related = ["sender", "recipient"]
    raw_id_fields = ["sender", "recipient", "reply_to", "thread", "author"]
    inlines = [ReceiptInline]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Letter]:
        return Letter.objects.visible_to(admin_user(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
