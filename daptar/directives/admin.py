from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from daptar.directives.models import Delivery, Directive
from daptar.lib.requests import admin_user


@admin.register(Directive)
class DirectiveAdmin(admin.ModelAdmin):
    """Read-only: directives change through the office pages and the API, never here."""

    list_display = [
        "reference",
        "title",
        "issuing_unit",
        "status",
        "priority",
        "due_at",
        "expected",
    ]
    list_filter = ["status", "priority", "mode"]
    search_fields = ["reference", "title"]
    list_select_related = ["issuing_unit"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Directive]:
        return Directive.objects.visible_to(admin_user(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["directive", "unit", "state", "delivered_at", "acknowledged_at", "done_at"]
    list_filter = ["state"]
    raw_id_fields = ["directive", "unit", "relay_parent"]
    list_select_related = ["directive", "unit"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        from daptar.units.models import Unit

        return Delivery.objects.filter(
            Unit.objects.visible_to_q(admin_user(request), field="unit_path")
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser  # offices follow deliveries on the tracking pages

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
