from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from daptar.lib.requests import admin_user
from daptar.meetings.models import Meeting, MeetingMail, MeetingSeries
from daptar.units.models import Unit


class ReadOnlyAdmin(admin.ModelAdmin):
    """Meetings change through the office pages and the API, never here."""

    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(ReadOnlyAdmin):
    list_display = ["title", "host_unit", "created_at"]
    search_fields = ["title"]
    list_select_related = ["host_unit"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[MeetingSeries]:
        return MeetingSeries.objects.visible_to(admin_user(request))


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "host_unit", "starts_at", "mode", "status", "invitations_count"]
    list_filter = ["status", "mode"]
    search_fields = ["title"]
    list_select_related = ["host_unit"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Meeting]:
        return Meeting.objects.filter(
            Unit.objects.visible_to_q(admin_user(request), field="unit_path")
        )


@admin.register(MeetingMail)
class MeetingMailAdmin(ReadOnlyAdmin):
    """The meeting e-mail queue, for an operator checking why an invitation did not arrive."""

    list_display = ["address", "subject", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["address"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[MeetingMail]:
        return MeetingMail.objects.filter(
            Unit.objects.visible_to_q(admin_user(request), field="meeting__unit_path")
        )
