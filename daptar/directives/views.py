from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daptar.accounts.queries import acting_desk
from daptar.directives import actions, queries
from daptar.directives.forms import AttachmentForm, DirectiveForm, NoteForm
from daptar.directives.models import Delivery, Directive
from daptar.lib.buttons import press
from daptar.lib.exceptions import Conflict
from daptar.lib.numerals import localise_digits
from daptar.lib.requests import AuthedRequest
from daptar.lib.spreadsheets import csv_download
from daptar.offline.actions import once
from daptar.offline.responses import replayable
from daptar.units.models import Level, Unit


def _desk_unit(request: AuthedRequest) -> Unit:
    desk = acting_desk(request)
    if desk is None:
        raise Http404(_("You have no office desk."))
    return desk.unit


@login_required
def inbox(request: AuthedRequest) -> HttpResponse:
    unit = _desk_unit(request)
    state, priority = request.GET.get("state", ""), request.GET.get("priority", "")
    overdue = request.GET.get("overdue") == "1"
    rows = queries.inbox(unit, state=state, priority=priority, overdue=overdue)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unit": unit,
        "state": state,
        "priority": priority,
        "overdue": overdue,
        "states": Delivery.State.choices[1:],
        "now": timezone.now(),
    }
    if request.htmx:
        return render(request, "directives/inbox.html#rows", context)
    return render(request, "directives/inbox.html", context)


@login_required
def sent(request: AuthedRequest) -> HttpResponse:
    unit = _desk_unit(request)
    page = Paginator(queries.sent(unit), 30).get_page(request.GET.get("page"))
    return render(request, "directives/sent.html", {"page": page, "unit": unit})


@login_required
def escalated(request: AuthedRequest) -> HttpResponse:
    unit = _desk_unit(request)
    page = Paginator(queries.escalated_to(unit), 50).get_page(request.GET.get("page"))
    return render(request, "directives/escalated.html", {"page": page, "unit": unit})


def _form_errors(form: DirectiveForm, error: ValidationError) -> None:
    for fieldname, errors in error.message_dict.items():
        form.add_error(fieldname if fieldname in form.fields else None, errors)


@login_required
def compose(request: AuthedRequest, directive_id: int | None = None) -> HttpResponse:
    unit = _desk_unit(request)
    directive = None
    if directive_id is not None:
        directive = queries.get_tracked_directive(request.user, directive_id)
        if directive.status != Directive.Status.DRAFT:
            messages.info(request, _("Only a draft can be edited."))
            return redirect("directives:detail", directive.pk)
        unit = directive.issuing_unit
    form = DirectiveForm(request.POST or None, instance=directive, issuing_unit=unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields: dict[str, Any] = {
            "title": data["title"],
            "body": data["body"],
            "due_at": data["due_at"],
            "target_unit": data["target_unit"],
            "target_levels": list(data["target_levels"]),
            "priority": data["priority"],
            "mode": data["mode"],
        }
        try:
            if directive is None:
                directive = actions.create_directive(issuing_unit=unit, by=request.user, **fields)
            else:
                directive = actions.update_draft(directive, by=request.user, **fields)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Draft saved. Check it, then issue it."))
            return redirect("directives:detail", directive.pk)
    return render(
        request, "directives/compose.html", {"form": form, "directive": directive, "unit": unit}
    )


@login_required
def recipients_preview(request: AuthedRequest) -> HttpResponse:
    """The compose page's live count of recipients by level (htmx)."""
    unit = _desk_unit(request)
    target = unit
    code = request.GET.get("target_code", "").strip()
    if code:
        target = Unit.objects.subtree(unit).filter(code__iexact=code).first() or unit
    elif request.GET.get("target_unit", "").isdigit():
        found = Unit.objects.subtree(unit).filter(pk=request.GET["target_unit"]).first()
        target = found or unit
    level_ids = [int(v) for v in request.GET.getlist("target_levels") if v.isdigit()]
    counts = queries.recipient_counts(target, level_ids, unit)
    estimate = None
    if request.GET.get("priority") == Directive.Priority.URGENT:
        title = request.GET.get("title", "")[:200]
        estimate = queries.compose_sms_estimate(unit, target, level_ids, title)
    return render(
        request,
        "directives/compose.html#preview",
        {
            "counts": counts,
            "total": sum(n for _l, n in counts),
            "target": target,
            "sms_estimate": estimate,
        },
    )


@login_required
def detail(request: AuthedRequest, directive_id: int) -> HttpResponse:
    directive = queries.get_visible_directive(request.user, directive_id)
    desk = acting_desk(request)
    delivery = queries.my_delivery(directive, desk.unit if desk else None)
    if delivery is not None and delivery.state == Delivery.State.PENDING:
        delivery = None  # a relay has not reached this unit yet
    if delivery is not None:
        delivery = actions.mark_seen(delivery, by=request.user)
    is_issuer = Unit.objects.visible_to(request.user).filter(pk=directive.issuing_unit_id).exists()
    relay_children = 0
    if delivery is not None and directive.mode == Directive.Mode.RELAY:
        relay_children = delivery.relay_children.count()
    return render(
        request,
        "directives/detail.html",
        {
            "directive": directive,
            "delivery": delivery,
            "is_issuer": is_issuer,
            "levels": directive.target_levels.all(),
            "attachments": directive.attachments.all(),
            "note_form": NoteForm(),
            "attachment_form": AttachmentForm(),
            "relay_children": relay_children,
            "recipient_counts": (
                queries.recipient_counts(
                    directive.target_unit,
                    list(directive.target_levels.values_list("pk", flat=True)),
                    directive.issuing_unit,
                )
                if is_issuer and directive.status == Directive.Status.DRAFT
                else None
            ),
            "sms_estimate": (
                queries.sms_estimate(directive)
                if is_issuer and directive.status == Directive.Status.DRAFT
                else None
            ),
            "can_act": bool(
                desk and desk.can_act and delivery and desk.unit.pk == delivery.unit_id
            ),
        },
    )


def _run(request: AuthedRequest, directive: Directive, action: Any, done: str) -> HttpResponse:
    press(request, action, done)
    return redirect("directives:detail", directive.pk)


@login_required
@require_POST
def issue(request: AuthedRequest, directive_id: int) -> HttpResponse:
    directive = queries.get_tracked_directive(request.user, directive_id)
    return _run(
        request,
        directive,
        lambda: actions.issue(directive, by=request.user),
        _("The directive has been issued."),
    )


@login_required
@require_POST
def withdraw(request: AuthedRequest, directive_id: int) -> HttpResponse:
    directive = queries.get_tracked_directive(request.user, directive_id)
    return _run(
        request,
        directive,
        lambda: actions.withdraw(directive, by=request.user),
        _("The directive has been withdrawn."),
    )


def _my_received_delivery(request: AuthedRequest, directive: Directive) -> Delivery:
    desk = acting_desk(request)
    delivery = queries.my_delivery(directive, desk.unit if desk else None)
    if delivery is None or delivery.state == Delivery.State.PENDING:
        raise Http404(_("This directive has not been sent to your unit."))
    return delivery


@login_required
@require_POST
@replayable
def act(request: AuthedRequest, directive_id: int, verb: str) -> HttpResponse:
    directive = queries.get_visible_directive(request.user, directive_id)
    delivery = _my_received_delivery(request, directive)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(map(str, form.errors["note"])))
        return redirect("directives:detail", directive.pk)
    note = form.cleaned_data["note"]
    run = {
        "acknowledge": (actions.acknowledge, _("Acknowledged.")),
        "done": (actions.mark_done, _("Marked as done.")),
        "forward": (actions.forward, _("Forwarded to the level below.")),
    }
    action, done = run[verb]
    # A phone sending held work again finds its first try done: the same answer, no change.
    key = request.POST.get("idempotency_key", "")
    return _run(
        request,
        directive,
        lambda: once(
            lambda: action(delivery, by=request.user, note=note),
            by=request.user,
            key=key,
            kind=f"directive.{verb}",
        ),
        done,
    )


@login_required
@require_POST
def attach(request: AuthedRequest, directive_id: int) -> HttpResponse:
    directive = queries.get_tracked_directive(request.user, directive_id)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return redirect("directives:detail", directive.pk)
    return _run(
        request,
        directive,
        lambda: actions.add_attachment(directive, form.cleaned_data["file"], by=request.user),
        _("Attached."),
    )


@login_required
def attachment(request: AuthedRequest, directive_id: int, attachment_id: int) -> FileResponse:
    directive = queries.get_visible_directive(request.user, directive_id)
    item = get_object_or_404(directive.attachments, pk=attachment_id)
    return FileResponse(item.file.open("rb"), filename=item.name, content_type=item.content_type)


def _tracking_context(request: AuthedRequest, directive: Directive) -> dict[str, Any]:
    node = directive.target_unit
    if within := request.GET.get("within"):
        node = queries.tracking_node(request.user, directive, within)
    total, by_level = queries.tracking(directive)
    return {
        "directive": directive,
        "total": total,
        "by_level": by_level,
        "node": node,
        "branches": queries.drilldown(directive, node),
        "overdue_page": Paginator(
            queries.tracking_units(directive, overdue=True, within=node), 25
        ).get_page(request.GET.get("page")),
        "levels": Level.objects.all(),
    }


@login_required
def tracking(request: AuthedRequest, directive_id: int) -> HttpResponse:
    directive = queries.get_tracked_directive(request.user, directive_id)
    context = _tracking_context(request, directive)
    if request.htmx:
        return render(request, "directives/tracking.html#live", context)
    return render(request, "directives/tracking.html", context)


@login_required
def tracking_units(request: AuthedRequest, directive_id: int) -> HttpResponseBase:
    directive = queries.get_tracked_directive(request.user, directive_id)
    within = (
        queries.tracking_node(request.user, directive, request.GET["within"])
        if request.GET.get("within")
        else None
    )
    rows = queries.tracking_units(
        directive,
        state=request.GET.get("state", ""),
        level=request.GET.get("level", ""),
        overdue=request.GET.get("overdue") == "1",
        within=within,
        via=request.GET.get("via", ""),
    )
    if request.GET.get("format") == "csv":
        return _csv(directive, rows)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "directives/tracking_units.html",
        {
            "directive": directive,
            "page": page,
            "states": Delivery.State.choices,
            "levels": Level.objects.all(),
            "state": request.GET.get("state", ""),
            "level": request.GET.get("level", ""),
            "overdue": request.GET.get("overdue") == "1",
            "via": request.GET.get("via", ""),
        },
    )


def _csv(directive: Directive, rows: Any) -> StreamingHttpResponse:
    header = [
        "code",
        "unit_bn",
        "unit_en",
        "level",
        "parent_en",
        "state",
        "delivered_at",
        "seen_at",
        "acknowledged_at",
        "done_at",
        "note",
        "acknowledged_via",
        "done_via",
    ]

    def row(d: Delivery) -> list[Any]:
        return [
            d.unit.code,
            d.unit.name_bn,
            d.unit.name_en,
            d.level.slug,
            d.unit.parent.name_en if d.unit.parent else "",
            d.state,
            d.delivered_at or "",
            d.seen_at or "",
            d.acknowledged_at or "",
            d.done_at or "",
            d.done_note or d.acknowledge_note,
            d.acknowledged_via,
            d.done_via,
        ]

    return csv_download(
        f"{directive.reference}-tracking.csv", header, rows.iterator(chunk_size=2000), row
    )


@login_required
@require_POST
def remind(request: AuthedRequest, directive_id: int) -> HttpResponse:
    directive = queries.get_tracked_directive(request.user, directive_id)
    units = [int(v) for v in request.POST.getlist("unit") if v.isdigit()][:1000]
    if not units:
        units = list(
            queries.tracking_units(directive, overdue=True).values_list("unit_id", flat=True)[:1000]
        )
    try:
        count = actions.remind(directive, units, by=request.user)
    except Conflict as exc:
        messages.info(request, str(exc))
    else:
        messages.success(
            request,
            ngettext("Reminder sent to %(n)s unit.", "Reminder sent to %(n)s units.", count)
            % {"n": localise_digits(count, get_language() or "bn")},
        )
    return redirect("directives:tracking", directive.pk)
