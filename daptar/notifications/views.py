from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daptar.accounts.queries import acting_desk
from daptar.lib.requests import AuthedRequest
from daptar.notifications import actions
from daptar.notifications.models import Notification


@login_required
def notices(request: AuthedRequest) -> HttpResponse:
    """The acting unit's notices: reminders, escalations, review results."""
    desk = acting_desk(request)
    if desk is None:
        raise Http404(_("You have no office desk."))
    rows = Notification.objects.for_unit(desk.unit).order_by("read_at", "-created_at")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def open_notice(request: AuthedRequest, notification_id: int) -> HttpResponse:
    """Mark a notice read and follow its link."""
    desk = acting_desk(request)
    if desk is None:
        raise Http404(_("You have no office desk."))
    notice = get_object_or_404(Notification.objects.for_unit(desk.unit), pk=notification_id)
    actions.mark_read(notice, by=request.user)
    if notice.url and url_has_allowed_host_and_scheme(notice.url, {request.get_host()}):
        return redirect(notice.url)
    return redirect("notifications:list")
