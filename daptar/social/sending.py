"""The worker's side: send one post at most once, delete one, sweep what is due.

The order is what makes a post go out once:
1. claim: an UPDATE leases the post to this worker (two workers never hold it);
2. if an earlier attempt is `unconfirmed` (its worker died, or the answer was lost),
   ask the network for the channel's recent posts: found, it is recorded as posted;
   where the network cannot be asked (Telegram), the office is asked instead;
3. record the attempt (`unconfirmed`, committed) before a byte leaves;
4. send; a definite answer clears `unconfirmed` with the outcome.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from daptar.social import actions, credentials, texts
from daptar.social.models import SocialChannel, SocialPost
from daptar.social.networks import (
    CannotCheck,
    ChannelBroken,
    Duplicate,
    NetworkError,
    Refused,
    Temporary,
    Uncertain,
    connector_for,
)

logger = logging.getLogger("daptar.social")
LEASE = datetime.timedelta(minutes=5)
SWEEP_LIMIT = 200


def _connector(channel: SocialChannel):  # type: ignore[no-untyped-def]
    return connector_for(channel.kind, channel.target, credentials.unseal(channel.secret))


def send(post_id: int, now: datetime.datetime | None = None) -> str:
    """Send one due post; answers what became of it."""
    from daptar.reports.models import Report

    now = now or timezone.now()
    if not actions.claim(post_id, now, LEASE):
        return "skipped"
    post = SocialPost.objects.select_related(
        "report__unit", "report__category", "channel__unit"
    ).get(pk=post_id)
    if post.report.status != Report.Status.PUBLISHED:
        actions.cancelled(post)
        return "cancelled"
    connector = _connector(post.channel)
    content = texts.content_for(post.report, post.channel, connector)
    # Until this attempt is recorded, a failure says nothing about an earlier one.
    attempted = False
    try:
        if post.unconfirmed:
            try:
                found = connector.find(content)
            except CannotCheck as exc:
                actions.perhaps_posted(post, str(exc))
                return "unknown"
            if found is not None:
                actions.posted(post, found.external_id, found.url, "found among recent posts")
                return "sent"
        weight = min(max(1, len(content.photos)), 10) if post.channel.kind == "telegram" else 1
        wait = actions.start_attempt(post, content.text, weight, now)
        if wait is not None:
            actions.paced(post, wait)
            return "paced"
        attempted = True
        result = connector.publish(content)
    except Duplicate as exc:
        actions.posted(post, exc.posted.external_id if exc.posted else "", "", str(exc))
        return "sent"
    except ChannelBroken as exc:
        with transaction.atomic():
            actions.channel_broken(post.channel, str(exc))
            actions.waiting(post, str(exc), certain=attempted)
        return "waiting"
    except Uncertain as exc:
        with transaction.atomic():
            actions.retry_later(post, str(exc), after=exc.after, certain=False)
        logger.warning("social post %s: outcome unknown: %s", post_id, exc)
        return "retry"
    except Temporary as exc:
        with transaction.atomic():
            actions.retry_later(post, str(exc), after=exc.after, certain=attempted)
        return "retry"
    except (Refused, NetworkError) as exc:
        actions.failed(post, str(exc), certain=attempted)
        return "failed"
    actions.posted(post, result.external_id, result.url)
    return "sent"


def delete(post_id: int) -> str:
    """Delete a withdrawn report's post from its network (or list it for the office)."""
    from daptar.reports.models import Report

    post = SocialPost.objects.select_related("channel", "report").filter(pk=post_id).first()
    if post is None or post.status != SocialPost.Status.SENT:
        return "skipped"
    if post.report.status == Report.Status.PUBLISHED:
        return "skipped"  # published again meanwhile: the post stays
    if not post.external_id:
        actions.remove_by_hand(post, "The network gave no id for this post.")
        return "remove"
    try:
        _connector(post.channel).delete(post.external_id)
    except Temporary as exc:
        post.last_error = str(exc)
        SocialPost.objects.filter(pk=post.pk).update(last_error=str(exc)[:2000])
        return "retry"  # the sweep tries again
    except NetworkError as exc:
        actions.remove_by_hand(post, str(exc))
        return "remove"
    actions.deleted(post)
    return "deleted"


def sweep(now: datetime.datetime | None = None, limit: int = SWEEP_LIMIT) -> dict[str, int]:
    """Send what is due (and what a dead worker left), delete what was withdrawn."""
    from daptar.reports.models import Report

    now = now or timezone.now()
    due = list(
        SocialPost.objects.filter(
            status__in=(SocialPost.Status.PENDING, SocialPost.Status.SENDING),
            next_attempt_at__lte=now,
            channel__state=SocialChannel.State.CONNECTED,
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    outcomes = [send(pk, now) for pk in due]
    withdrawn = list(
        SocialPost.objects.filter(status=SocialPost.Status.SENT)
        .exclude(report__status=Report.Status.PUBLISHED)
        .values_list("pk", flat=True)[:limit]
    )
    removed = [delete(pk) for pk in withdrawn]
    return {
        "due": len(due),
        "sent": outcomes.count("sent"),
        "deleted": removed.count("deleted"),
    }
