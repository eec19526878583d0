"""The returns API: forms, submissions, review, rates, the missing list and aggregates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.serializer_helpers import BindingDict

from daptar.accounts.queries import acting_desk
from daptar.lib import paths
from daptar.lib.api import limit_choices, query_choice
from daptar.lib.requests import api_user
from daptar.returns import actions, queries
from daptar.returns.models import ReturnField, ReturnForm, ReturnPeriod, ReturnRule, Submission
from daptar.units.models import Level, Unit
from daptar.units.queries import get_visible_unit

# --- what comes in -----------------------------------------------------------------------


class ReturnFieldSpecSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=40)
    label_bn = serializers.CharField(max_length=200)
    label_en = serializers.CharField(max_length=200)
    help_bn = serializers.CharField(max_length=300, required=False, allow_blank=True)
    help_en = serializers.CharField(max_length=300, required=False, allow_blank=True)
    type = serializers.ChoiceField(choices=ReturnField.Type.values)
    # A field named like a Field attribute: the stubs see a clash, but SerializerMetaclass
    # moves declared fields off the class, so nothing is shadowed.
    required = serializers.BooleanField(default=False)  # type: ignore[assignment]
    min = serializers.DecimalField(
        max_digits=24, decimal_places=6, required=False, allow_null=True, coerce_to_string=False
    )
    max = serializers.DecimalField(
        max_digits=24, decimal_places=6, required=False, allow_null=True, coerce_to_string=False
    )
    choices = serializers.ListField(
        child=serializers.JSONField(),
        required=False,
        help_text='Strings, or {"value", "label_bn", "label_en"} objects.',
    )


class ReturnRuleSpecSerializer(serializers.Serializer):
    left = serializers.CharField(max_length=300, help_text="e.g. women + men")
    op = serializers.ChoiceField(choices=ReturnRule.Op.values)
    right = serializers.CharField(max_length=300, help_text="e.g. members")
    message_bn = serializers.CharField(max_length=300)
    message_en = serializers.CharField(max_length=300)


class ReturnCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    fields = ReturnFieldSpecSerializer(many=True)  # type: ignore[assignment]  # as `required` above
    rules = ReturnRuleSpecSerializer(many=True, required=False, default=list)
    target_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.none(),
        error_messages={
            "does_not_exist": "No such unit in your subtree.",
            "incorrect_type": "Give the unit's id, a number.",
        },
    )
    target_levels = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        queryset=Level.objects.all(),
        required=False,
        default=list,  # type: ignore[arg-type]  # the stubs miss that many=True takes a list
    )
    schedule = serializers.ChoiceField(
        choices=ReturnForm.Schedule.values, default=ReturnForm.Schedule.ONCE
    )
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    timely_days = serializers.IntegerField(min_value=0, max_value=366, default=10)
    lock_after_days = serializers.IntegerField(
        min_value=0, max_value=366, required=False, allow_null=True, default=None
    )
    publish = serializers.BooleanField(
        default=True, help_text="Open the first period at once (false: keep it a draft)."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # To mypy `self.fields` is the field declared as `fields` above; it is the bound fields.
            bound: BindingDict = self.fields  # type: ignore[assignment]
            # Outside the caller's scope reads exactly like "no such unit".
            limit_choices(bound["target_unit"], Unit.objects.visible_to(request.user))


class ReturnSubmitSerializer(serializers.Serializer):
    data = serializers.DictField(default=dict)  # type: ignore[assignment]  # as `required` above
    nil = serializers.BooleanField(default=False)
    period = serializers.IntegerField(required=False, help_text="Default: the current period.")
    draft = serializers.BooleanField(
        default=False, help_text="Keep it as a draft: not sent, the errors still shown."
    )
    version = serializers.IntegerField(
        required=False, help_text="The version you edited; a newer one answers 409."
    )


class ReturnNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


# --- what goes out -------------------------------------------------------------------------


def period_data(period: ReturnPeriod | None) -> dict[str, Any] | None:
    if period is None:
        return None
    return {
        "id": period.pk,
        "label": period.label,
        "starts_on": period.starts_on,
        "ends_on": period.ends_on,
        "due_at": period.due_at,
        "locks_at": period.locks_at,
        "expected": period.expected,
    }


def _number(value: Decimal | None) -> int | float | None:
    """A bound as the client sent it: 0 or 0.5, not "0.000000"."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def field_data(field: ReturnField) -> dict[str, Any]:
    return {
        "key": field.key,
        "label_bn": field.label_bn,
        "label_en": field.label_en,
        "help_bn": field.help_bn,
        "help_en": field.help_en,
        "type": field.type,
        "required": field.required,
        "min": _number(field.min_value),
        "max": _number(field.max_value),
        "choices": field.choices,
    }


def form_data(form: ReturnForm, *, full: bool = True) -> dict[str, Any]:
    periods = list(form.periods.all())  # prefetched, newest first
    data: dict[str, Any] = {
        "id": form.pk,
        "title": form.title,
        "description": form.description,
        "status": form.status,
        "schedule": form.schedule,
        "issuing_unit": form.issuing_unit_id,
        "target_unit": form.target_unit_id,
        "target_levels": [level.slug for level in form.target_levels.all()],
        "due_at": form.due_at,
        "timely_days": form.timely_days,
        "lock_after_days": form.lock_after_days,
        "published_at": form.published_at,
        "created_at": form.created_at,
        "period": period_data(periods[0] if periods else None),
    }
    if full:
        data["fields"] = [field_data(f) for f in form.fields.all()]
        data["rules"] = [
            {
                "left": r.left,
                "op": r.op,
                "right": r.right,
                "message_bn": r.message_bn,
                "message_en": r.message_en,
            }
            for r in form.rules.all()
        ]
        data["periods"] = [period_data(p) for p in periods[:12]]
    return data


def submission_data(item: Submission) -> dict[str, Any]:
    return {
        "id": item.pk,
        "form": item.period.form_id,
        "period": item.period_id,
        "unit": item.unit_id,
        "expected": item.expected,
        "status": item.status,
        "nil": item.nil,
        "data": item.data,
        "version": item.version,
        "first_submitted_at": item.first_submitted_at,
        "submitted_at": item.submitted_at,
        "on_time": item.on_time,
        "reviewed_at": item.reviewed_at,
        "review_note": item.review_note,
        "reopened_until": item.reopened_until,
    }


RATES: dict[str, serializers.Field] = {
    **{
        k: serializers.IntegerField()
        for k in ("expected", "submitted", "on_time", "late", "missing", "nil", "approved")
    },
    "returned": serializers.IntegerField(),
    "completeness": serializers.FloatField(allow_null=True, help_text="per cent, at most 100"),
    "timeliness": serializers.FloatField(allow_null=True, help_text="per cent, at most 100"),
}
SCOPE = [
    OpenApiParameter("unit", OpenApiTypes.INT, description="Default: the form's target."),
    OpenApiParameter("period", OpenApiTypes.INT, description="Default: the latest period."),
]
SID = OpenApiParameter("sid", OpenApiTypes.INT, OpenApiParameter.PATH)


class ReturnViewSet(viewsets.GenericViewSet):
    """Information returns: issue a form, send returns, review them, count them."""

    lookup_value_regex = r"\d+"
    serializer_class = ReturnCreateSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular's schema pass: no caller
            return ReturnForm.objects.none()
        return ReturnForm.objects.visible_to(api_user(self.request))

    def _unit(self) -> Unit:
        desk = acting_desk(self.request)
        if desk is None:
            raise Http404(_("You have no office desk."))
        return desk.unit

    def _form(self, pk: str) -> ReturnForm:
        return queries.get_visible_form(api_user(self.request), pk)

    def _scope(self, form: ReturnForm) -> tuple[ReturnPeriod, Unit]:
        user = api_user(self.request)
        params = self.request.query_params
        period = queries.get_period(form, params.get("period"))
        if params.get("unit"):
            return period, get_visible_unit(user, params["unit"])
        desk = acting_desk(self.request)
        return period, queries.default_node(user, form, desk.unit if desk else None)

    @extend_schema(
        parameters=[OpenApiParameter("box", OpenApiTypes.STR, enum=["todo", "issued"])],
        responses=inline_serializer("ReturnItem", {"id": serializers.IntegerField()}, many=True),
    )
    def list(self, request: Request) -> Response:
        """`box=todo` (default): what the acting unit still has to send; `box=issued`: its forms."""
        unit = self._unit()
        if query_choice(request, "box", ("todo", "issued"), "todo") == "issued":
            forms = self.paginate_queryset(queries.issued(unit).prefetch_related("periods"))
            assert forms is not None  # DEFAULT_PAGINATION_CLASS: the API always paginates
            return self.get_paginated_response([form_data(f, full=False) for f in forms])
        page = self.paginate_queryset(queries.to_do(unit))
        assert page is not None
        return self.get_paginated_response(
            [
                {
                    "id": s.period.form_id,
                    "title": s.period.form.title,
                    "description": s.period.form.description,
                    "schedule": s.period.form.schedule,
                    "issuing_unit": s.period.form.issuing_unit_id,
                    "period": period_data(s.period),
                    "submission": {"id": s.pk, "status": s.status, "version": s.version},
                }
                for s in page
            ]
        )

    @extend_schema(
        request=ReturnCreateSerializer,
        responses={201: inline_serializer("ReturnCreated", {"id": serializers.IntegerField()})},
    )
    def create(self, request: Request) -> Response:
        """Build a form with its fields and rules and (unless `publish` is false) publish it."""
        unit = self._unit()
        body = ReturnCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        publish = data.pop("publish")
        user = api_user(request)
        with transaction.atomic():
            form = actions.create_form(issuing_unit=unit, by=user, **data)
            if publish:
                actions.publish(form, by=user)
        form = ReturnForm.objects.prefetch_related("periods", "fields", "rules").get(pk=form.pk)
        return Response(form_data(form), status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        form = self._form(pk)
        form = ReturnForm.objects.prefetch_related("periods", "fields", "rules").get(pk=form.pk)
        data = form_data(form)
        desk = acting_desk(request)
        periods = list(form.periods.all())
        mine = queries.my_submission(periods[0], desk.unit) if periods and desk else None
        data["my_submission"] = submission_data(mine) if mine else None
        return Response(data)

    @extend_schema(
        request=None,
        responses=inline_serializer("ReturnPublished", {"id": serializers.IntegerField()}),
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        user = api_user(request)
        form = queries.get_issued_form(user, pk)
        period = actions.publish(form, by=user)
        return Response({"id": form.pk, "status": "active", "period": period_data(period)})

    @extend_schema(
        methods=["GET"],
        parameters=[
            OpenApiParameter("period", OpenApiTypes.INT),
            OpenApiParameter("status", OpenApiTypes.STR, enum=Submission.Status.values),
            OpenApiParameter("unit", OpenApiTypes.INT, description="within this unit's subtree"),
        ],
        responses=inline_serializer(
            "ReturnSubmission", {"id": serializers.IntegerField()}, many=True
        ),
    )
    @extend_schema(
        methods=["POST"],
        request=ReturnSubmitSerializer,
        responses={
            201: inline_serializer("ReturnSent", {"id": serializers.IntegerField()}),
            400: inline_serializer("ReturnInvalid", {"errors": serializers.DictField()}),
        },
    )
    @action(detail=True, methods=["get", "post"])
    def submissions(self, request: Request, pk: str) -> Response:
        """GET: the submissions in scope; POST: send (or draft) the acting unit's return."""
        form = self._form(pk)
        if request.method == "GET":
            return self._list_submissions(form)
        unit = self._unit()
        body = ReturnSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        period = queries.get_period(form, data.get("period"))
        if queries.my_submission(period, unit) is None and not actions.is_target(form, unit):
            raise Http404(_("This return is not asked of your unit."))
        try:
            if data["draft"]:
                item, errors = actions.save_draft(
                    period,
                    unit,
                    data["data"],
                    by=api_user(request),
                    nil=data["nil"],
                    version=data.get("version"),
                )
                return Response({**submission_data(item), "draft": item.draft, "errors": errors})
            item = actions.submit(
                period,
                unit,
                data["data"],
                by=api_user(request),
                nil=data["nil"],
                version=data.get("version"),
            )
        except ValidationError as exc:
            return Response({"errors": exc.message_dict}, status=status.HTTP_400_BAD_REQUEST)
        return Response(submission_data(item), status=status.HTTP_201_CREATED)

    def _list_submissions(self, form: ReturnForm) -> Response:
        params = self.request.query_params
        period = queries.get_period(form, params.get("period"))
        user = api_user(self.request)
        rows = Submission.objects.visible_to(user).filter(period=period)
        if params.get("status") in Submission.Status.values:
            rows = rows.filter(status=params["status"])
        if params.get("unit"):
            node = get_visible_unit(user, params["unit"])
            rows = rows.filter(paths.prefix_q(node.path, "unit_path"))
        page = self.paginate_queryset(rows.select_related("period").order_by("unit_path"))
        assert page is not None
        return self.get_paginated_response([submission_data(s) for s in page])

    def _submission(self, pk: str, sid: str) -> Submission:
        return queries.get_visible_submission(api_user(self.request), self._form(pk), sid)

    @extend_schema(
        parameters=[SID],
        responses=inline_serializer("ReturnSubmissionDetail", {"id": serializers.IntegerField()}),
    )
    @action(detail=True, methods=["get"], url_path=r"submissions/(?P<sid>\d+)")
    def submission(self, request: Request, pk: str, sid: str) -> Response:
        item = self._submission(pk, sid)
        data = submission_data(item)
        data["versions"] = [
            {"number": v.number, "data": v.data, "nil": v.nil, "submitted_at": v.submitted_at}
            for v in item.versions.all()[:50]
        ]
        return Response(data)

    @extend_schema(parameters=[SID], request=None)
    @action(detail=True, methods=["post"], url_path=r"submissions/(?P<sid>\d+)/approve")
    def approve(self, request: Request, pk: str, sid: str) -> Response:
        item = actions.approve(self._submission(pk, sid), by=api_user(request))
        return Response(submission_data(item))

    @extend_schema(parameters=[SID], request=ReturnNoteSerializer)
    @action(detail=True, methods=["post"], url_path=r"submissions/(?P<sid>\d+)/return")
    def send_back(self, request: Request, pk: str, sid: str) -> Response:
        item = self._submission(pk, sid)
        body = ReturnNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = actions.return_for_correction(
            item, by=api_user(request), note=body.validated_data["note"]
        )
        return Response(submission_data(item))

    @extend_schema(parameters=[SID], request=None)
    @action(detail=True, methods=["post"], url_path=r"submissions/(?P<sid>\d+)/reopen")
    def reopen(self, request: Request, pk: str, sid: str) -> Response:
        item = actions.reopen(self._submission(pk, sid), by=api_user(request))
        return Response(submission_data(item))

    @extend_schema(
        parameters=SCOPE,
        responses=inline_serializer(
            "ReturnRates",
            {
                **RATES,
                "by_level": inline_serializer(
                    "ReturnLevelRates", {"level": serializers.CharField(), **RATES}, many=True
                ),
                "branches": inline_serializer(
                    "ReturnBranchRates", {"unit": serializers.IntegerField(), **RATES}, many=True
                ),
            },
        ),
    )
    @action(detail=True, methods=["get"])
    def rates(self, request: Request, pk: str) -> Response:
        """Completeness and timeliness of a subtree: whole, by level and by branch below."""
        period, node = self._scope(self._form(pk))
        figures = queries.tally(period, node)
        return Response(
            {
                **figures.total.as_dict(),
                "unit": node.pk,
                "period": period_data(period),
                "by_level": [
                    {"level": r.level.slug if r.level else "", **r.as_dict()}
                    for r in figures.by_level
                ],
                "branches": [
                    {
                        "unit": r.unit.pk if r.unit else None,
                        "name_bn": r.unit.name_bn if r.unit else "",
                        "name_en": r.unit.name_en if r.unit else "",
                        **r.as_dict(),
                    }
                    for r in figures.branches
                ],
            }
        )

    @extend_schema(
        parameters=SCOPE,
        responses=inline_serializer(
            "ReturnMissingUnit", {"id": serializers.IntegerField()}, many=True
        ),
    )
    @action(detail=True, methods=["get"])
    def missing(self, request: Request, pk: str) -> Response:
        """Expected units that have not sent, with the office above them and whom to call."""
        period, node = self._scope(self._form(pk))
        page = self.paginate_queryset(queries.missing(period, node))
        assert page is not None
        contacts = queries.office_contacts([s.unit_id for s in page])
        return self.get_paginated_response(
            [
                {
                    "id": s.unit_id,
                    "code": s.unit.code,
                    "name_bn": s.unit.name_bn,
                    "name_en": s.unit.name_en,
                    "level": s.level.slug,
                    "status": s.status,
                    "submission": s.pk,
                    "parent": s.parent_id,
                    "parent_name_bn": s.parent.name_bn if s.parent else "",
                    "parent_name_en": s.parent.name_en if s.parent else "",
                    "office": [
                        {"name": c.name, "post": c.post, "phone": c.phone}
                        for c in contacts.get(s.unit_id, [])
                    ],
                }
                for s in page
            ]
        )

    @extend_schema(
        parameters=SCOPE,
        responses=inline_serializer("ReturnAggregate", {"fields": serializers.ListField()}),
    )
    @action(detail=True, methods=["get"])
    def aggregate(self, request: Request, pk: str) -> Response:
        """Sums and averages of the number fields, whole and by the level below."""
        period, node = self._scope(self._form(pk))
        fields, totals, branches = queries.aggregate(period, node)
        return Response(
            {
                "unit": node.pk,
                "period": period_data(period),
                "fields": [
                    {
                        "key": f.key,
                        "label_bn": f.label_bn,
                        "label_en": f.label_en,
                        **totals[f.pk].as_dict(),
                    }
                    for f in fields
                ],
                "by_unit": [
                    {
                        "unit": b.unit.pk if b.unit else None,
                        "name_bn": b.unit.name_bn if b.unit else "",
                        "name_en": b.unit.name_en if b.unit else "",
                        "level": b.unit.level.slug if b.unit else "",
                        "values": {
                            f.key: b.figures[f.pk].as_dict() for f in fields if f.pk in b.figures
                        },
                    }
                    for b in branches
                ],
            }
        )


# (prefix, viewset, basename) triples that daptar/urls.py registers on the API router.
ROUTES = [("returns", ReturnViewSet, "return")]
