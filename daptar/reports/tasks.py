"""Report side effects, run by the worker: photo renditions and the social outbox."""

from __future__ import annotations

import datetime
import logging

from django.tasks import task
from django.utils import timezone
from PIL import Image

from daptar.lib import images
from daptar.reports import actions, social
from daptar.reports.models import Photo, Report, SocialPost

logger = logging.getLogger("daptar.reports")
LEASE = datetime.timedelta(minutes=5)
SWEEP_LIMIT = 200
STALE = datetime.timedelta(minutes=10)


@task
def make_renditions(photo_id: int) -> str:
    """Turn a stored original into metadata-free WebP and JPEG renditions."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None or photo.status == Photo.Status.READY:
        return "skipped"
    storage = actions.photo_storage()
    try:
        with storage.open(photo.original, "rb") as original:
            made = images.render(
                original, actions.rendition_widths(), max_pixels=actions.limits().max_pixels
            )
    except images.Refused as refused:
        actions.fail_photo(photo, str(refused))
        return "failed"
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        logger.warning("photo %s: renditions failed: %s", photo_id, exc)
        actions.fail_photo(photo, str(exc))
        return "failed"
    rows = actions.rendition_files(photo, made)
    if not Photo.objects.filter(pk=photo_id).exists():
        # Removed while the worker was busy: leave no files behind.
        for row in rows:
            for fmt in ("webp", "jpg"):
                storage.delete(photo.rendition_name(row["w"], fmt))
        return "removed"
    actions.finish_photo(photo, rows)
    return "ready"


@task
def send_social_post(post_id: int) -> str:
    """Send one social post if it is due; failures are retried with a doubling back-off."""
    if not actions.claim_post(post_id, timezone.now(), LEASE):
        return "skipped"
    post = SocialPost.objects.select_related("report__unit", "report__category", "channel").get(
        pk=post_id
    )
    if post.report.status != Report.Status.PUBLISHED:
        actions.cancel_post(post)
        return "cancelled"
    try:
        external_id = social.send(post)
    except social.SendError as exc:
        post = actions.post_failed(post, str(exc))
        logger.warning("social post %s failed (attempt %s): %s", post.pk, post.attempts, exc)
        return post.status
    actions.post_sent(post, external_id)
    return "sent"


def sweep(now: datetime.datetime | None = None, limit: int = SWEEP_LIMIT) -> dict[str, int]:
    """The periodic pass: due social posts sent, photos stuck in "being prepared" re-queued."""
    now = now or timezone.now()
    due = list(
        SocialPost.objects.filter(status=SocialPost.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = sum(send_social_post.call(pk) == "sent" for pk in due)
    stale = actions.requeue_stale_photos(now - STALE, now=now, limit=limit)
    return {"social_due": len(due), "social_sent": sent, "photos_requeued": len(stale)}


@task
def periodic() -> dict[str, int]:
    return sweep()
