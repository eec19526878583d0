"""Reads of channels and posts that are more than a filter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from daptar.social.models import PostQuerySet, SocialChannel, SocialPost

if TYPE_CHECKING:
    from daptar.accounts.models import User
    from daptar.reports.models import Report


def month_start() -> timezone.datetime:  # type: ignore[name-defined]
    now = timezone.localtime()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def channels_for(user: User) -> list[SocialChannel]:
    """The channels the user sees, each with its posts made this month (X bills per post)."""
    return list(
        SocialChannel.objects.visible_to(user)
        .select_related("unit")
        .prefetch_related("categories")
        .annotate(
            month_posts=Count("posts", filter=Q(posts__sent_at__gte=month_start())),
            problems=Count(
                "posts",
                filter=Q(
                    posts__status__in=(
                        SocialPost.Status.FAILED,
                        SocialPost.Status.UNKNOWN,
                        SocialPost.Status.REMOVE,
                    )
                ),
            ),
        )
    )


def get_visible_channel(user: User, channel_id: int | str) -> SocialChannel:
    try:
        pk = int(channel_id)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(SocialChannel.objects.visible_to(user).select_related("unit"), pk=pk)


def get_visible_post(user: User, post_id: int | str) -> SocialPost:
    try:
        pk = int(post_id)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(
        SocialPost.objects.visible_to(user).select_related("channel__unit", "report"), pk=pk
    )


def posts_of(report: Report) -> PostQuerySet:
    return SocialPost.objects.filter(report=report).select_related("channel__unit")


def recent_posts(user: User, limit: int = 50) -> list[SocialPost]:
    """Posts on the channels the user sees, newest first."""
    return list(
        SocialPost.objects.filter(channel__in=SocialChannel.objects.visible_to(user).values("pk"))
        .select_related("channel__unit", "report")
        .order_by("-updated_at", "-pk")[:limit]
    )
