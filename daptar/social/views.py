from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daptar.lib.buttons import press
from daptar.lib.requests import AuthedRequest
from daptar.social import actions, credentials, queries
from daptar.social.bot import linking
from daptar.social.forms import ChannelForm
from daptar.social.models import SocialChannel
from daptar.units.models import Unit


def _managed_units(request: AuthedRequest) -> Any:
    """Units the user may add channels to: the subtrees where they act (the operator: all)."""
    if request.user.is_superuser:
        return Unit.objects.all()
    q = Unit.objects.none()
    for desk in request.user.desks:
        if desk.can_act:
            q = q | Unit.objects.subtree(desk.unit)
    return q


@login_required
def channels(request: AuthedRequest) -> HttpResponse:
    """The channels in the user's scope, their states, and the latest posts on them."""
    rows = queries.channels_for(request.user)
    for channel in rows:
        channel.manageable = actions.can_manage(request.user, channel.unit)  # type: ignore[attr-defined]
    return render(
        request,
        "social/channels.html",
        {
            "channels": rows,
            "posts": queries.recent_posts(request.user),
            "has_x": any(c.kind == SocialChannel.Kind.X for c in rows),
            "derived_key": credentials.uses_derived_key(),
            "can_add": bool(
                request.user.is_superuser or any(d.can_act for d in request.user.desks)
            ),
        },
    )


@login_required
def edit_channel(request: AuthedRequest, channel_id: int | None = None) -> HttpResponse:
    channel = queries.get_visible_channel(request.user, channel_id) if channel_id else None
    if channel is not None and not actions.can_manage(request.user, channel.unit):
        raise PermissionDenied(_("Only this unit's office or an office above it manages this."))
    units = _managed_units(request)
    if channel is None and not units.exists():
        raise PermissionDenied(_("Only an office that acts may add channels."))
    form = ChannelForm(request.POST or None, instance=channel, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_channel(
                form.save(commit=False),
                by=request.user,
                secrets=form.secrets(),
                categories=list(form.cleaned_data["categories"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("social:channels")
    return render(request, "social/channel_form.html", {"form": form, "channel": channel})


@login_required
@require_POST
def channel_state(request: AuthedRequest, channel_id: int) -> HttpResponse:
    channel = queries.get_visible_channel(request.user, channel_id)
    state = request.POST.get("state", "")
    press(
        request,
        lambda: actions.set_state(channel, state, by=request.user),
        _("The channel is paused.") if state == "paused" else _("The channel is resumed."),
    )
    return redirect("social:channels")


def _back(request: AuthedRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def _post_action(
    request: AuthedRequest, post_id: int, run: Callable[..., Any], done: str
) -> HttpResponse:
    post = queries.get_visible_post(request.user, post_id)
    press(request, lambda: run(post, by=request.user), done)
    return _back(request, "social:channels")


@login_required
@require_POST
def retry(request: AuthedRequest, post_id: int) -> HttpResponse:
    return _post_action(request, post_id, actions.retry_post, _("The post will be sent again."))


@login_required
@require_POST
def cancel(request: AuthedRequest, post_id: int) -> HttpResponse:
    return _post_action(request, post_id, actions.cancel_post, _("The post is cancelled."))


@login_required
@require_POST
def release(request: AuthedRequest, post_id: int) -> HttpResponse:
    return _post_action(request, post_id, actions.release_post, _("The post will be sent."))


@login_required
def telegram_link(request: AuthedRequest) -> HttpResponse:
    """The code that links the user's Telegram account to the organisation's bot."""
    if request.method == "POST":
        if request.POST.get("unlink"):
            linking.unlink(request.user, by=request.user)
        else:
            linking.new_code(request.user, by=request.user)
        return redirect("social:telegram")
    link = getattr(request.user, "telegram", None) if hasattr(request.user, "telegram") else None
    return render(
        request,
        "social/telegram.html",
        {"link": link, "code": linking.current_code(request.user)},
    )
