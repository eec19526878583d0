"""Social side effects run by the worker: send a post, delete a post, the periodic sweep."""

from __future__ import annotations

from django.tasks import task

from daptar.social import sending


@task
def send_post(post_id: int) -> str:
    return sending.send(post_id)


@task
def delete_post(post_id: int) -> str:
    return sending.delete(post_id)


@task
def periodic() -> dict[str, int]:
    result = sending.sweep()
    from daptar.social.bot import notices

    result |= notices.sweep()
    return result
