"""Writes of the social outbox (queued on publishing, sent by the worker) and of the
operator's configuration: channels and categories."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from daptar.audit.actions import record
from daptar.lib import jobs, retries
from daptar.reports.models import Category, Report, SocialChannel, SocialPost
from daptar.website.actions import site_changed

if TYPE_CHECKING:
    from daptar.accounts.models import User


def queue_social_posts(report: Report) -> list[int]:
    """One pending post per active channel (once per report and channel), sent after commit."""
    now = timezone.now()
    SocialPost.objects.bulk_create(
        [
            SocialPost(report=report, channel=channel, next_attempt_at=now)
            for channel in SocialChannel.objects.filter(is_active=True)
        ],
        ignore_conflicts=True,
    )
    ids = list(
        SocialPost.objects.filter(report=report, status=SocialPost.Status.PENDING).values_list(
            "pk", flat=True
        )
    )
    for post_id in ids:
        jobs.after_commit("reports.send_social_post", post_id)
    return ids


backoff = retries.backoff  # the outbox's rules: 1, 2, 4 … minutes, at most six hours


def claim_post(post_id: int, now: datetime.datetime, lease: datetime.timedelta) -> bool:
    """Lease one due post to this worker, so two workers never send it at once."""
    return retries.claim(SocialPost, post_id, now, lease)


def post_sent(post: SocialPost, external_id: str) -> SocialPost:
    """The channel took the post: keep its external id, clear the last error."""
    now = timezone.now()
    SocialPost.objects.filter(pk=post.pk).update(
        status=SocialPost.Status.SENT,
        attempts=post.attempts + 1,
        external_id=external_id[:200],
        last_error="",
        sent_at=now,
        updated_at=now,
    )
    post.refresh_from_db()
    return post


def post_failed(post: SocialPost, error: str) -> SocialPost:
    """Count the failure; retry after a doubling back-off, or give up after the last attempt."""
    now = timezone.now()
    attempts = post.attempts + 1
    final = attempts >= int(getattr(settings, "DAPTAR_SOCIAL_MAX_ATTEMPTS", 8))
    fields: dict[str, Any] = {"attempts": attempts, "last_error": error[:2000], "updated_at": now}
    if final:
        fields["status"] = SocialPost.Status.FAILED
    else:
        fields["next_attempt_at"] = now + backoff(attempts)
    SocialPost.objects.filter(pk=post.pk, status=SocialPost.Status.PENDING).update(**fields)
    post.refresh_from_db()
    if not final:
        # On a backend that cannot defer, the periodic sweep picks it up when it is due.
        jobs.after_commit("reports.send_social_post", post.pk, run_after=post.next_attempt_at)
    return post


def cancel_post(post: SocialPost) -> SocialPost:
    """A post whose report is no longer published is not sent."""
    SocialPost.objects.filter(pk=post.pk, status=SocialPost.Status.PENDING).update(
        status=SocialPost.Status.CANCELLED, updated_at=timezone.now()
    )
    post.refresh_from_db()
    return post


def retry_posts(post_ids: list[int], *, by: User) -> int:
    """The operator sends failed or pending posts again now (cancelled and sent ones stay)."""
    if not by.is_superuser:
        raise PermissionDenied(_("Only the operator manages the social outbox."))
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            SocialPost.objects.filter(pk__in=post_ids)
            .filter(Q(status=SocialPost.Status.FAILED) | Q(status=SocialPost.Status.PENDING))
            .filter(report__status=Report.Status.PUBLISHED)
            .values_list("pk", flat=True)
        )
        SocialPost.objects.filter(pk__in=ids).update(
            status=SocialPost.Status.PENDING, next_attempt_at=now, updated_at=now
        )
        record("report.social_retried", by=by, detail={"posts": len(ids)})
        for post_id in ids:
            jobs.after_commit("reports.send_social_post", post_id)
    return len(ids)


def save_channel(channel: SocialChannel, *, by: User) -> SocialChannel:
    """The operator adds or changes a social channel (its URL and secret are configuration)."""
    if not by.is_superuser:
        raise PermissionDenied(_("Only the operator manages social channels."))
    with transaction.atomic():
        channel.full_clean()
        created = channel.pk is None
        channel.save()
        record(
            "report.channel_added" if created else "report.channel_changed",
            by=by,
            obj=channel,
            detail={"kind": channel.kind, "active": channel.is_active},
        )
    return channel


def save_category(category: Category, *, by: User) -> Category:
    """The operator adds or renames a report category (categories are data)."""
    if not by.is_superuser:
        raise PermissionDenied(_("Only the operator manages report categories."))
    with transaction.atomic():
        category.full_clean()
        created = category.pk is None
        category.save()
        site_changed()
        record(
            "report.category_added" if created else "report.category_changed",
            by=by,
            obj=category,
        )
    return category
