from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daptar.accounts.queries import acting_desk
from daptar.lib.buttons import press
from daptar.lib.exceptions import Conflict
from daptar.lib.requests import AuthedRequest
from daptar.offline.responses import refuse_cut_short
from daptar.reports import actions, queries
from daptar.reports.forms import NoteForm, PhotosForm, ReportForm
from daptar.reports.models import Photo, Report
from daptar.units.models import Unit

CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}
UPLOAD_HEADER = "HTTP_X_DAPTAR_UPLOAD"  # set by report-form.js, which wants JSON back


def _desk_unit(request: AuthedRequest) -> Unit:
    desk = acting_desk(request)
    if desk is None:
        raise Http404(_("You have no office desk."))
    return desk.unit


@login_required
def report_list(request: AuthedRequest) -> HttpResponse:
    """The acting unit's own reports, in every state or one."""
    unit = _desk_unit(request)
    status = request.GET.get("status", "")
    page = Paginator(queries.our_reports(unit, status), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/list.html",
        {
            "page": page,
            "unit": unit,
            "status": status,
            "statuses": Report.Status.choices,
        },
    )


@login_required
def review(request: AuthedRequest) -> HttpResponse:
    """An office's review queue: sent up to it, and what is submitted, approved or
    published below it."""
    unit = _desk_unit(request)
    box = request.GET.get("box", "waiting")
    box = box if box in queries.BOXES else "waiting"
    page = Paginator(queries.review_queue(unit, box), 20).get_page(request.GET.get("page"))
    return render(request, "reports/review.html", {"page": page, "unit": unit, "box": box})


def _form_errors(form: ReportForm, error: ValidationError) -> None:
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _save(request: AuthedRequest, form: ReportForm, report: Report | None, unit: Unit) -> Report:
    """Create or update through the actions; submit too when that button was pressed."""
    fields = form.action_fields()
    photos = form.cleaned_data.get("photos") or []
    if report is None:
        report = actions.create_report(
            unit=unit,
            by=request.user,
            photos=photos,
            idempotency_key=form.cleaned_data.get("idempotency_key", ""),
            **fields,
        )
    else:
        report = actions.update_report(report, by=request.user, **fields)
        if photos:
            actions.add_photos(report, photos, by=request.user)
    if "submit" in request.POST and report.is_editable:
        report = actions.submit(report, by=request.user)
    if report.is_editable:
        messages.success(request, _("Draft saved."))
    else:  # sent now, or by the first of two identical posts
        messages.success(request, _("The report has been sent up for review."))
    return report


@login_required
def compose(request: AuthedRequest, report_id: int | None = None) -> HttpResponse:
    """The phone form: a new report, or a draft or returned one to correct."""
    report = None
    if report_id is not None:
        report = queries.get_visible_report(request.user, report_id)
        if not report.is_editable:
            messages.info(request, _("Only a draft or a returned report can be edited."))
            return redirect("reports:detail", report.pk)
        unit = report.unit
    else:
        unit = _desk_unit(request)
    if not any(d.unit.pk == unit.pk and d.can_act for d in request.user.desks):
        raise PermissionDenied(_("Your desk at this unit is read-only."))
    if cut := refuse_cut_short(request):
        return cut
    form = ReportForm(
        request.POST or None, request.FILES or None, instance=report, user=request.user
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                report = _save(request, form, report, unit)
            except ValidationError as error:
                _form_errors(form, error)
            except Conflict as conflict:
                form.add_error(None, str(conflict))
            else:
                if request.META.get(UPLOAD_HEADER):
                    return JsonResponse({"location": reverse("reports:detail", args=[report.pk])})
                return redirect("reports:detail", report.pk)
        status = 400
    context = {"form": form, "report": report, "unit": unit}
    if request.META.get(UPLOAD_HEADER):
        return render(request, "reports/form.html#fields", context, status=status)
    return render(request, "reports/form.html", context, status=status if form.errors else 200)


@login_required
def detail(request: AuthedRequest, report_id: int) -> HttpResponse:
    report = queries.get_visible_report(request.user, report_id)
    photos = list(report.photos.all())
    context = {
        "report": report,
        "photos": photos,
        "pending": any(p.status == Photo.Status.PENDING for p in photos),
        "history": queries.history(report),
        "can_write": actions.can_write(request.user, report),
        "can_review": report.status == Report.Status.SUBMITTED
        and actions.can_review(request.user, report),
        "can_publish": report.status in (Report.Status.APPROVED, Report.Status.WITHDRAWN)
        and actions.can_publish(request.user, report),
        "can_withdraw": report.status == Report.Status.PUBLISHED
        and (actions.can_write(request.user, report) or actions.can_publish(request.user, report)),
        "note_form": NoteForm(),
        "photos_form": PhotosForm(),
    }
    if request.htmx and request.GET.get("part") == "photos":
        return render(request, "reports/detail.html#photos", context)
    return render(request, "reports/detail.html", context)


def _run(
    request: HttpRequest, report: Report, action: Callable[[], Any], done: str
) -> HttpResponse:
    press(request, action, done)
    return redirect("reports:detail", report.pk)


def _note(request: AuthedRequest) -> str:
    form = NoteForm(request.POST)
    return form.cleaned_data["note"] if form.is_valid() else ""


def _acting_unit(request: AuthedRequest) -> Unit | None:
    desk = acting_desk(request)
    return desk.unit if desk else None


@login_required
@require_POST
def submit(request: AuthedRequest, report_id: int) -> HttpResponse:
    report = queries.get_visible_report(request.user, report_id)
    return _run(
        request,
        report,
        lambda: actions.submit(report, by=request.user),
        _("The report has been sent up for review."),
    )


@login_required
@require_POST
def approve(request: AuthedRequest, report_id: int) -> HttpResponse:
    report = queries.get_visible_report(request.user, report_id)
    note, unit = _note(request), _acting_unit(request)
    return _run(
        request,
        report,
        lambda: actions.approve(report, by=request.user, note=note, as_unit=unit),
        _("Approved."),
    )


@login_required
@require_POST
def return_report(request: AuthedRequest, report_id: int) -> HttpResponse:
    report = queries.get_visible_report(request.user, report_id)
    note, unit = _note(request), _acting_unit(request)
    return _run(
        request,
        report,
        lambda: actions.return_report(report, by=request.user, note=note, as_unit=unit),
        _("Returned to the unit with your note."),
    )


@login_required
@require_POST
def publish(request: AuthedRequest, report_id: int) -> HttpResponse:
    report = queries.get_visible_report(request.user, report_id)
    unit = _acting_unit(request)
    return _run(
        request,
        report,
        lambda: actions.publish(report, by=request.user, as_unit=unit),
        _("Published on the website."),
    )


@login_required
@require_POST
def withdraw(request: AuthedRequest, report_id: int) -> HttpResponse:
    report = queries.get_visible_report(request.user, report_id)
    note, unit = _note(request), _acting_unit(request)
    return _run(
        request,
        report,
        lambda: actions.withdraw(report, by=request.user, note=note, as_unit=unit),
        _("Withdrawn from the website."),
    )


@login_required
@require_POST
def add_photos(request: AuthedRequest, report_id: int) -> HttpResponse:
    report = queries.get_visible_report(request.user, report_id)
    form = PhotosForm(request.POST, request.FILES)
    if not form.is_valid() or not form.cleaned_data["photos"]:
        messages.error(request, _("Choose at least one photo."))
        return redirect("reports:detail", report.pk)
    return _run(
        request,
        report,
        lambda: actions.add_photos(report, form.cleaned_data["photos"], by=request.user),
        _("Photos added."),
    )


@login_required
@require_POST
def arrange_photos(request: AuthedRequest, report_id: int) -> HttpResponse:
    """Captions and order from the detail page's photo list (caption-<id>, order-<id>)."""
    report = queries.get_visible_report(request.user, report_id)
    captions: dict[int, str] = {}
    order: dict[int, int] = {}
    for key in request.POST:
        kind, _sep, raw_id = key.partition("-")
        value = request.POST.get(key, "")
        if not raw_id.isdigit():
            continue
        if kind == "caption":
            captions[int(raw_id)] = value
        elif kind == "order" and value.strip().isdigit():
            order[int(raw_id)] = int(value)
    return _run(
        request,
        report,
        lambda: actions.arrange_photos(report, by=request.user, captions=captions, order=order),
        _("Captions and order saved."),
    )


@login_required
@require_POST
def remove_photo(request: AuthedRequest, report_id: int, photo_id: int) -> HttpResponse:
    report = queries.get_visible_report(request.user, report_id)
    photo = queries.get_photo(report, photo_id)
    return _run(
        request,
        report,
        lambda: actions.remove_photo(photo, by=request.user),
        _("Photo removed."),
    )


def rendition_response(
    request: HttpRequest, photo: Photo, width: int, fmt: str, *, max_age: int, public: bool
) -> HttpResponseBase:
    """One rendition from the storage, with validators so caches can ask "has it changed?"."""
    if fmt not in CONTENT_TYPES or not any(r["w"] == width for r in photo.renditions):
        raise Http404
    etag = f'"{photo.key}-{width}-{fmt}"'
    modified = int(photo.rendered_at.timestamp()) if photo.rendered_at else None
    response: HttpResponseBase | None = get_conditional_response(
        request, etag=etag, last_modified=modified
    )
    if response is None:
        name = photo.rendition_name(width, fmt)
        try:
            handle = actions.photo_storage().open(name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=CONTENT_TYPES[fmt])
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    if public:
        patch_cache_control(response, public=True, max_age=max_age)
    else:
        patch_cache_control(response, private=True, max_age=max_age)
    return response


@login_required
def photo(request: AuthedRequest, report_id: int, photo_id: int, width: int, fmt: str) -> Any:
    """A rendition for the office pages (any state of the report, within scope)."""
    report = queries.get_visible_report(request.user, report_id)
    item = queries.get_photo(report, photo_id)
    return rendition_response(request, item, width, fmt, max_age=3600, public=False)
