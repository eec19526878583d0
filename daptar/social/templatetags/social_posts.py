"""The report page's list of social posts, with what the viewer may do to each."""

from __future__ import annotations

from typing import Any

from django import template

from daptar.social import actions, queries

register = template.Library()


@register.inclusion_tag("social/_report_posts.html", takes_context=True)
def report_posts(context: dict[str, Any], report: Any) -> dict[str, Any]:
    user = context["request"].user
    posts = list(queries.posts_of(report))
    for post in posts:
        mine = actions.can_manage(user, post.channel.unit)
        post.can_retry = mine and post.status in post.RETRYABLE  # type: ignore[attr-defined]
        post.can_cancel = mine and post.status in post.CANCELLABLE  # type: ignore[attr-defined]
        post.can_release = post.status == post.Status.HELD and (  # type: ignore[attr-defined]
            user.is_superuser
            or any(d.can_act and d.unit.pk == post.channel.unit_id for d in user.desks)
        )
    return {"posts": posts, "report": report, "request": context["request"]}
