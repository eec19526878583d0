"""Read-only admin: returns change through the office pages and the API, never here."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from daptar.lib.requests import admin_user
from daptar.returns.models import ReturnForm, ReturnPeriod, Submission
from daptar.units.models import Unit


class ReadOnly(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReturnForm)
class ReturnFormAdmin(ReadOnly):
    list_display = ["title", "issuing_unit", "schedule", "status", "due_at", "created_at"]
    list_filter = ["status", "schedule"]
    search_fields = ["title"]
    list_select_related = ["issuing_unit"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReturnForm]:
        return ReturnForm.objects.visible_to(admin_user(request))


@admin.register(ReturnPeriod)
class ReturnPeriodAdmin(ReadOnly):
    list_display = ["form", "starts_on", "ends_on", "due_at", "locks_at", "expected"]
    list_select_related = ["form"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReturnPeriod]:
        return ReturnPeriod.objects.filter(
            form__in=ReturnForm.objects.visible_to(admin_user(request))
        )


@admin.register(Submission)
class SubmissionAdmin(ReadOnly):
    list_display = ["period", "unit", "status", "nil", "version", "submitted_at"]
    list_filter = ["status", "nil", "expected"]
    raw_id_fields = ["period", "unit", "parent"]
    list_select_related = ["period__form", "unit"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Submission]:
        return Submission.objects.filter(
            Unit.objects.visible_to_q(admin_user(request), field="unit_path")
        )
