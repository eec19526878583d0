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


def sweep() -> dict[str, int]:
    """One pass of the periodic job: due posts (and those a dead worker left), deletions of
    withdrawn reports' posts, and directives for linked office bearers on Telegram."""
    from daptar.social.bot import notices

    return sending.sweep() | notices.sweep()


@task
def periodic() -> dict[str, int]:
    return sweep()
