from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from daptar.lib.requests import admin_user
from daptar.reports import actions
from daptar.reports.models import Category, Report, SocialChannel, SocialPost


class ReadOnly(admin.ModelAdmin):
    """Reports change through the office pages and the API, never here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(ReadOnly):
    list_display = ["title", "unit", "category", "status", "event_date", "published_at"]
    list_filter = ["status", "category"]
    search_fields = ["title"]
    list_select_related = ["unit", "category"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Report]:
        return Report.objects.visible_to(admin_user(request))


class OperatorOnly(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(OperatorOnly):
    list_display = ["slug", "name_bn", "name_en", "rank", "is_active"]
    fields = ["slug", "name_bn", "name_en", "rank", "is_active"]

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        actions.save_category(obj, by=admin_user(request))


@admin.register(SocialChannel)
class SocialChannelAdmin(OperatorOnly):
    """Where published reports are announced; each POST is signed when a secret is set."""

    list_display = ["name", "kind", "url", "is_active"]
    fields = ["name", "kind", "url", "secret", "is_active"]

    def save_model(self, request: HttpRequest, obj: SocialChannel, form: Any, change: bool) -> None:
        actions.save_channel(obj, by=admin_user(request))


@admin.register(SocialPost)
class SocialPostAdmin(OperatorOnly):
    """The social outbox: what went out, what is waiting, and why something failed."""

    list_display = ["created_at", "report", "channel", "status", "attempts", "next_attempt_at",
                    "external_id", "last_error"]  # fmt: skip
    list_filter = ["status", "channel"]
    list_select_related = ["report", "channel"]
    search_fields = ["report__title", "external_id"]
    actions = ["retry_now"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in SocialPost._meta.fields]

    @admin.action(description=_("Send again now"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[SocialPost]) -> None:
        count = actions.retry_posts(
            list(queryset.values_list("pk", flat=True)), by=admin_user(request)
        )
        messages.success(
            request,
            ngettext("%(n)s post queued again.", "%(n)s posts queued again.", count) % {"n": count},
        )
