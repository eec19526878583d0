from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from daptar.audit.models import AuditEvent
from daptar.lib.requests import admin_user
from daptar.units.models import Unit


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_username", "unit", "verb", "object_repr", "ip"]
    list_filter = ["verb"]
    search_fields = ["actor_username", "object_repr"]
    date_hierarchy = "at"
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        return AuditEvent.objects.filter(
            Unit.objects.visible_to_q(admin_user(request), "unit_path")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
