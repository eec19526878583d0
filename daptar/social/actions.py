"""Every write of social channels and posts: configuring a channel, queueing on publishing,
review, retry and cancel by the office, and withdrawal. The worker's side (sending once,
deleting) is in daptar.social.sending and records its outcomes through this module."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from daptar.audit.actions import record
from daptar.lib import jobs, paths
from daptar.lib.exceptions import Conflict
from daptar.notifications.actions import Message, notify_units
from daptar.social import credentials as sealed
from daptar.social.models import SocialChannel, SocialPost
from daptar.units.models import Unit

if TYPE_CHECKING:
    from daptar.accounts.models import User
    from daptar.reports.models import Category, Report

# What each network needs to post; the values are sealed and never shown again.
CREDENTIAL_FIELDS = {
    SocialChannel.Kind.FACEBOOK: ("access_token",),
    SocialChannel.Kind.TELEGRAM: ("bot_token",),
    SocialChannel.Kind.X: ("access_token",),
}
# The Telegram channel may use the organisation's bot (settings) instead of its own.
OPTIONAL_CREDENTIALS = {SocialChannel.Kind.TELEGRAM: ("bot_token",)}


def can_manage(user: User, unit: Unit) -> bool:
    """The unit's own office or any office above it, acting; or the operator."""
    if user.is_superuser:
        return True
    return any(d.can_act and unit.is_within(d.unit) for d in user.desks)


def require_manage(user: User, unit: Unit) -> None:
    if not can_manage(user, unit):
        raise PermissionDenied(_("Only this unit's office or an office above it manages this."))


def save_channel(
    channel: SocialChannel,
    *,
    by: User,
    secrets: dict[str, str] | None = None,
    categories: list[Category] | None = None,
) -> SocialChannel:
    """Add or change a channel. New *secrets* are sealed (never audited, never shown);
    a channel that needed reconnecting is connected again and its waiting posts go."""
    require_manage(by, channel.unit)
    created = channel.pk is None
    needed = CREDENTIAL_FIELDS.get(SocialChannel.Kind(channel.kind), ())
    optional = OPTIONAL_CREDENTIALS.get(SocialChannel.Kind(channel.kind), ())
    given = {k: v.strip() for k, v in (secrets or {}).items() if k in needed and v and v.strip()}
    if created and not channel.secret:
        missing = [k for k in needed if k not in given and k not in optional]
        if missing:
            raise ValidationError({"credentials": [_("Give the channel's access token.")]})
    reconnected = False
    with transaction.atomic():
        if given:
            channel.secret = sealed.seal({**sealed.unseal(channel.secret), **given})
            if channel.state == SocialChannel.State.RECONNECT:
                channel.state, channel.state_reason, reconnected = (
                    SocialChannel.State.CONNECTED,
                    "",
                    True,
                )
        channel.full_clean(exclude=["secret"])
        channel.save()
        if categories is not None:
            channel.categories.set(categories)
        record(
            "social.channel_added" if created else "social.channel_changed",
            by=by,
            obj=channel,
            unit=channel.unit,
            # What changed, never the credentials themselves.
            detail={
                "kind": channel.kind,
                "target": channel.target,
                "state": channel.state,
                "credentials_changed": bool(given),
            },
        )
        if reconnected:
            _resume_waiting(channel)
    return channel


def set_state(channel: SocialChannel, state: str, *, by: User) -> SocialChannel:
    """Pause or resume a channel (reconnecting needs new credentials: save_channel)."""
    require_manage(by, channel.unit)
    if state not in (SocialChannel.State.PAUSED, SocialChannel.State.CONNECTED):
        raise ValidationError({"state": [_("A channel is paused or resumed here.")]})
    if state == SocialChannel.State.CONNECTED and channel.state == SocialChannel.State.RECONNECT:
        raise ValidationError({"state": [_("Give the channel new credentials to reconnect it.")]})
    with transaction.atomic():
        SocialChannel.objects.filter(pk=channel.pk).update(state=state, updated_at=timezone.now())
        channel.refresh_from_db()
        record(f"social.channel_{state}", by=by, obj=channel, unit=channel.unit)
        if state == SocialChannel.State.CONNECTED:
            _resume_waiting(channel)
    return channel


def _resume_waiting(channel: SocialChannel) -> None:
    ids = list(
        SocialPost.objects.filter(channel=channel, status=SocialPost.Status.PENDING).values_list(
            "pk", flat=True
        )
    )
    SocialPost.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now())
    for post_id in ids:
        jobs.after_commit("social.send_post", post_id)


def accepting_channels(report: Report) -> list[SocialChannel]:
    """The channels of the report's unit and every unit above it whose rules take it."""
    own_and_above = [*paths.ancestor_paths(report.unit.path), report.unit.path]
    channels = (
        SocialChannel.objects.filter(unit__path__in=own_and_above)
        .exclude(state=SocialChannel.State.PAUSED)
        .filter(Q(reach=SocialChannel.Reach.SUBTREE) | Q(unit_id=report.unit_id))
        .filter(Q(categories__isnull=True) | Q(categories=report.category_id))
        .distinct()
    )
    return list(channels)


def queue_for_report(report: Report) -> list[int]:
    """One post per accepting channel, written with the publishing; sent after commit.

    Publishing again after a withdrawal brings back the posts that were cancelled or
    deleted; a post still on the network is left as it is.
    """
    now = timezone.now()
    channels = accepting_channels(report)
    SocialPost.objects.bulk_create(
        [
            SocialPost(
                report=report,
                channel=channel,
                next_attempt_at=now,
                status=SocialPost.Status.HELD
                if channel.needs_review
                else SocialPost.Status.PENDING,
            )
            for channel in channels
        ],
        ignore_conflicts=True,
    )
    gone = (SocialPost.Status.CANCELLED, SocialPost.Status.DELETED, SocialPost.Status.REMOVE)
    for held in (True, False):
        SocialPost.objects.filter(
            report=report, status__in=gone, channel__needs_review=held
        ).update(
            status=SocialPost.Status.HELD if held else SocialPost.Status.PENDING,
            external_id="",
            url="",
            last_error="",
            attempts=0,
            unconfirmed=False,
            sent_at=None,
            next_attempt_at=now,
            updated_at=now,
        )
    ids = list(
        SocialPost.objects.filter(report=report, status=SocialPost.Status.PENDING).values_list(
            "pk", flat=True
        )
    )
    for post_id in ids:
        jobs.after_commit("social.send_post", post_id)
    return ids


def withdraw_posts(report: Report) -> None:
    """A withdrawn report: unsent posts cancelled, posts on the networks deleted by the worker
    (or listed for the office to remove by hand where the network will not)."""
    now = timezone.now()
    SocialPost.objects.filter(report=report, status__in=SocialPost.CANCELLABLE).update(
        status=SocialPost.Status.CANCELLED, updated_at=now
    )
    for post_id in SocialPost.objects.filter(
        report=report, status=SocialPost.Status.SENT
    ).values_list("pk", flat=True):
        jobs.after_commit("social.delete_post", post_id)


def _change(post: SocialPost, *, frm: tuple[str, ...], message: str, **fields: Any) -> SocialPost:
    updated = SocialPost.objects.filter(pk=post.pk, status__in=frm).update(
        updated_at=timezone.now(), **fields
    )
    if not updated:
        raise Conflict(message)
    post.refresh_from_db()
    return post


def retry_post(post: SocialPost, *, by: User) -> SocialPost:
    """The office sends a post again now: a failed one, a waiting one, or one that was
    perhaps posted after it has looked at the channel and found it missing."""
    require_manage(by, post.channel.unit)
    from daptar.reports.models import Report

    if post.report.status != Report.Status.PUBLISHED:
        raise Conflict(_("Only a published report's posts are sent."))
    with transaction.atomic():
        post = _change(
            post,
            frm=(
                SocialPost.Status.PENDING,
                SocialPost.Status.FAILED,
                SocialPost.Status.UNKNOWN,
                SocialPost.Status.HELD,
            ),
            message=_("This post cannot be sent again."),
            status=SocialPost.Status.PENDING,
            next_attempt_at=timezone.now(),
            # Sending after UNKNOWN is the office's word that the channel lacks it.
            unconfirmed=False,
        )
        record(
            "social.post_retried",
            by=by,
            obj=post,
            unit=post.channel.unit,
            detail={"channel": post.channel_id, "report": post.report_id},
        )
        jobs.after_commit("social.send_post", post.pk)
    return post


def cancel_post(post: SocialPost, *, by: User) -> SocialPost:
    """The office stops a post that has not gone out."""
    require_manage(by, post.channel.unit)
    with transaction.atomic():
        post = _change(
            post,
            frm=SocialPost.CANCELLABLE,
            message=_("This post can no longer be cancelled."),
            status=SocialPost.Status.CANCELLED,
        )
        record("social.post_cancelled", by=by, obj=post, unit=post.channel.unit)
    return post


def release_post(post: SocialPost, *, by: User) -> SocialPost:
    """The channel's own office has reviewed a held post: it goes out."""
    if not (
        by.is_superuser or any(d.can_act and d.unit.pk == post.channel.unit_id for d in by.desks)
    ):
        raise PermissionDenied(_("Only the channel's own office reviews its posts."))
    with transaction.atomic():
        post = _change(
            post,
            frm=(SocialPost.Status.HELD,),
            message=_("This post is not waiting for review."),
            status=SocialPost.Status.PENDING,
            next_attempt_at=timezone.now(),
        )
        record("social.post_released", by=by, obj=post, unit=post.channel.unit)
        jobs.after_commit("social.send_post", post.pk)
    return post


# --- outcomes recorded by the worker (daptar.social.sending) --------------------------


def claim(post_id: int, now: datetime.datetime, lease: datetime.timedelta) -> bool:
    """Lease a due post to this worker: a pending one, or one whose sender's lease ran out
    (that worker died; its attempt is `unconfirmed`, so it is checked before resending)."""
    with transaction.atomic():
        return bool(
            SocialPost.objects.filter(
                pk=post_id,
                status__in=(SocialPost.Status.PENDING, SocialPost.Status.SENDING),
                next_attempt_at__lte=now,
                channel__state=SocialChannel.State.CONNECTED,
            ).update(
                status=SocialPost.Status.SENDING,
                next_attempt_at=now + lease,
                updated_at=now,
            )
        )


# The networks' documented rates for one channel: (messages, window). Telegram: at most
# 20 messages a minute in one group or channel; X: POST /2/tweets 100 per 15 minutes per
# user. Facebook Pages have no fixed per-Page posting rate (the Business Use Case limit
# is read from each answer's header instead).
RATES: dict[str, tuple[int, datetime.timedelta]] = {
    SocialChannel.Kind.TELEGRAM: (20, datetime.timedelta(minutes=1)),
    SocialChannel.Kind.X: (100, datetime.timedelta(minutes=15)),
}
PACE_MARGIN = datetime.timedelta(seconds=2)


def start_attempt(
    post: SocialPost, text: str, weight: int = 1, now: datetime.datetime | None = None
) -> datetime.datetime | None:
    """Record the attempt before sending: committed before a byte leaves.

    Where the network limits a channel's rate, the attempt takes a place in the window
    (the channel's row is locked, so two workers count the same window one after the
    other); with no place left, nothing is recorded and the time a place frees is
    answered instead, for the post to wait until then.
    """
    # A caller's "now" may be a little old (it waited for a lock); the window counts when
    # requests really leave, with a margin for the time they take to arrive.
    now = max(now or timezone.now(), timezone.now())
    with transaction.atomic():
        rate = RATES.get(post.channel.kind)
        if rate is not None:
            limit, window = rate
            window += PACE_MARGIN
            SocialChannel.objects.select_for_update().filter(pk=post.channel_id).first()
            recent = list(
                SocialPost.objects.filter(channel_id=post.channel_id, started_at__gt=now - window)
                .exclude(pk=post.pk)
                .order_by("started_at")
                .values_list("started_at", "weight")
            )
            used = sum(w for _at, w in recent)
            if used + weight > limit:
                for started, w in recent:
                    used -= w
                    if started is not None and used + weight <= limit:
                        return started + window
                return now + window
        SocialPost.objects.filter(pk=post.pk).update(
            unconfirmed=True,
            attempts=post.attempts + 1,
            text=text,
            started_at=now,
            weight=weight,
            updated_at=timezone.now(),
        )
    post.refresh_from_db()
    return None


def paced(post: SocialPost, until: datetime.datetime) -> None:
    """No place in the channel's rate window: the post waits, with no attempt counted."""
    SocialPost.objects.filter(pk=post.pk, status=SocialPost.Status.SENDING).update(
        status=SocialPost.Status.PENDING, next_attempt_at=until, updated_at=timezone.now()
    )
    jobs.after_commit("social.send_post", post.pk, run_after=until)


def posted(post: SocialPost, external_id: str, url: str, note: str = "") -> None:
    now = timezone.now()
    SocialPost.objects.filter(pk=post.pk).update(
        status=SocialPost.Status.SENT,
        unconfirmed=False,
        external_id=external_id[:200],
        url=url[:500],
        last_error=note[:2000],
        sent_at=now,
        updated_at=now,
    )


def retry_later(
    post: SocialPost, error: str, *, after: datetime.timedelta | None, certain: bool
) -> datetime.datetime | None:
    """Count the failure and send again after *after* (else the doubling back-off); after
    the last attempt the post is failed. *certain*: the network surely has no post."""
    from django.conf import settings

    from daptar.lib.retries import backoff

    now = timezone.now()
    final = post.attempts >= int(getattr(settings, "DAPTAR_SOCIAL_MAX_ATTEMPTS", 8))
    when = now + (after if after is not None else backoff(post.attempts))
    fields: dict[str, Any] = {"last_error": error[:2000], "updated_at": now}
    if certain:
        fields["unconfirmed"] = False
    if final:
        fields["status"] = SocialPost.Status.FAILED
    else:
        fields |= {"status": SocialPost.Status.PENDING, "next_attempt_at": when}
    SocialPost.objects.filter(pk=post.pk, status=SocialPost.Status.SENDING).update(**fields)
    if final:
        return None
    jobs.after_commit("social.send_post", post.pk, run_after=when)
    return when


def failed(post: SocialPost, error: str, *, certain: bool = True) -> None:
    fields: dict[str, Any] = {"unconfirmed": False} if certain else {}
    SocialPost.objects.filter(pk=post.pk).update(
        status=SocialPost.Status.FAILED,
        last_error=error[:2000],
        updated_at=timezone.now(),
        **fields,
    )


def perhaps_posted(post: SocialPost, error: str) -> None:
    """The network cannot be asked whether the post is there: the office looks."""
    SocialPost.objects.filter(pk=post.pk).update(
        status=SocialPost.Status.UNKNOWN, last_error=error[:2000], updated_at=timezone.now()
    )
    notify_units(
        [post.channel.unit_id],
        Message(
            kind="social.unknown",
            url=reverse("reports:detail", args=[post.report_id]),
            text_bn=f"পোস্ট হয়েছে কি না নিশ্চিত নয়, চ্যানেলটি দেখুন: {post.channel.name}",
            text_en=f"A post may have gone out: check the channel {post.channel.name}",
        ),
        key=f"social-unknown:{post.pk}:{post.attempts}",
        email=False,
    )


def waiting(post: SocialPost, error: str, *, certain: bool = True) -> None:
    """Back to pending: it goes when its channel is connected again."""
    fields: dict[str, Any] = {"unconfirmed": False} if certain else {}
    SocialPost.objects.filter(pk=post.pk).update(
        status=SocialPost.Status.PENDING,
        last_error=error[:2000],
        updated_at=timezone.now(),
        **fields,
    )


def cancelled(post: SocialPost) -> None:
    SocialPost.objects.filter(pk=post.pk).update(
        status=SocialPost.Status.CANCELLED, unconfirmed=False, updated_at=timezone.now()
    )


def channel_broken(channel: SocialChannel, reason: str) -> None:
    """Mark the channel "needs reconnecting" and tell its office, once per break."""
    now = timezone.now()
    changed = SocialChannel.objects.filter(
        pk=channel.pk, state=SocialChannel.State.CONNECTED
    ).update(state=SocialChannel.State.RECONNECT, state_reason=reason[:500], updated_at=now)
    if not changed:
        return
    record(
        "social.channel_broken",
        by=None,
        obj=channel,
        unit=channel.unit,
        detail={"reason": reason[:300]},
    )
    notify_units(
        [channel.unit_id],
        Message(
            kind="social.reconnect",
            url=reverse("social:channels"),
            text_bn=f"সামাজিক মাধ্যম চ্যানেল আবার সংযোগ করা দরকার: {channel.name} — {reason[:150]}",
            text_en=f"A social channel needs reconnecting: {channel.name} — {reason[:150]}",
        ),
        key=f"social-reconnect:{channel.pk}:{now.isoformat()}",
    )


def deleted(post: SocialPost) -> None:
    SocialPost.objects.filter(pk=post.pk).update(
        status=SocialPost.Status.DELETED, updated_at=timezone.now()
    )


def remove_by_hand(post: SocialPost, error: str) -> None:
    SocialPost.objects.filter(pk=post.pk).update(
        status=SocialPost.Status.REMOVE, last_error=error[:2000], updated_at=timezone.now()
    )


def posts_this_month(channel: SocialChannel, now: datetime.datetime | None = None) -> int:
    """Posts made on *channel* since the first of this month (X charges per post)."""
    now = timezone.localtime(now or timezone.now())
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return SocialPost.objects.filter(channel=channel, sent_at__gte=start).count()
