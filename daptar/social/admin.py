"""The admin lists channels and posts with their states and errors; changes go through the
office pages (where credentials are taken), except "send again"."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from daptar.lib.exceptions import Conflict
from daptar.lib.requests import admin_user
from daptar.social import actions
from daptar.social.models import SocialChannel, SocialPost


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SocialChannel)
class ChannelAdmin(ReadOnly):
    list_display = ["name", "kind", "unit", "target", "state", "state_reason", "needs_review"]
    list_filter = ["kind", "state"]
    search_fields = ["name", "target"]
    list_select_related = ["unit"]
    # The sealed credentials are never shown, not even encrypted.
    exclude = ["secret"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SocialChannel]:
        return SocialChannel.objects.visible_to(admin_user(request))


@admin.register(SocialPost)
class PostAdmin(ReadOnly):
    list_display = ["report", "channel", "status", "attempts", "sent_at", "url", "last_error"]
    list_filter = ["status", "channel__kind"]
    list_select_related = ["report", "channel"]
    show_full_result_count = False
    actions = ["send_again"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SocialPost]:
        return SocialPost.objects.visible_to(admin_user(request))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and request.user.is_active  # the list's action, not a form

    @admin.action(description=_("Send the selected posts again"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[SocialPost]) -> None:
        done = 0
        for post in queryset.select_related("channel__unit", "report"):
            try:
                actions.retry_post(post, by=admin_user(request))
            except (Conflict, PermissionDenied):
                continue
            done += 1
        self.message_user(
            request,
            ngettext("%(n)d post will be sent again.", "%(n)d posts will be sent again.", done)
            % {"n": done},
            messages.SUCCESS,
        )
