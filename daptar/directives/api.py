from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from daptar.accounts.queries import acting_desk
from daptar.directives import actions, queries
from daptar.directives.models import Delivery, Directive
from daptar.lib.api import limit_choices, query_choice, query_flag
from daptar.lib.requests import api_user
from daptar.units.models import Level, Unit


class DeliverySerializer(serializers.ModelSerializer):
    unit = serializers.IntegerField(source="unit_id")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = [
            "id",
            "unit",
            "state",
            "delivered_at",
            "seen_at",
            "acknowledged_at",
            "acknowledge_note",
            "acknowledged_via",
            "done_at",
            "done_note",
            "done_via",
            "forwarded_at",
            "forward_note",
            "overdue",
        ]

    def get_overdue(self, delivery: Delivery) -> bool:
        d = delivery.directive
        return (
            d.status == Directive.Status.ISSUED
            and d.due_at < timezone.now()
            and delivery.state != Delivery.State.DONE
        )


class DirectiveSerializer(serializers.ModelSerializer):
    issuing_unit = serializers.IntegerField(source="issuing_unit_id", read_only=True)
    target_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.none(),
        error_messages={
            "does_not_exist": "No such unit in your subtree.",
            "incorrect_type": "Give the unit's id, a number.",
        },
    )
    target_levels = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Level.objects.all(), required=False
    )
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Directive
        fields = [
            "id",
            "reference",
            "status",
            "title",
            "body",
            "priority",
            "due_at",
            "target_unit",
            "target_levels",
            "mode",
            "issuing_unit",
            "expected",
            "issued_at",
            "withdrawn_at",
            "created_at",
            "attachments",
        ]
        read_only_fields = [
            "reference",
            "status",
            "expected",
            "issued_at",
            "withdrawn_at",
            "created_at",
        ]
        extra_kwargs = {"body": {"allow_blank": True, "required": False}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Outside the caller's scope reads exactly like "no such unit".
            limit_choices(self.fields["target_unit"], Unit.objects.visible_to(request.user))

    def get_attachments(self, directive: Directive) -> list[dict[str, Any]]:
        return [
            {"id": a.pk, "name": a.name, "size": a.size, "content_type": a.content_type}
            for a in directive.attachments.all()
        ]


class InboxItemSerializer(serializers.Serializer):
    """A directive as its recipient sees it, with the caller's delivery."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built once per list, not per row: building a serializer's fields is the cost.
        self._directive = DirectiveSerializer(context=self.context)
        self._delivery = DeliverySerializer()

    def to_representation(self, delivery: Delivery) -> dict[str, Any]:
        data = self._directive.to_representation(delivery.directive)
        data["delivery"] = self._delivery.to_representation(delivery)
        return data


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class RemindSerializer(serializers.Serializer):
    units = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=1000)


FUNNEL = {
    k: serializers.IntegerField()
    for k in ("expected", "delivered", "seen", "acknowledged", "done", "overdue")
}


class DirectiveViewSet(viewsets.GenericViewSet):
    """Directives: compose, issue, receive, acknowledge, track."""

    serializer_class = DirectiveSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular's schema pass: no caller
            return Directive.objects.none()
        user = api_user(self.request)
        return Directive.objects.visible_to(user).select_related("issuing_unit")

    def _unit(self) -> Unit:
        desk = acting_desk(self.request)
        if desk is None:
            raise Http404(_("You have no office desk."))
        return desk.unit

    def _directive(self, pk: str, *, tracked: bool = False) -> Directive:
        getter = queries.get_tracked_directive if tracked else queries.get_visible_directive
        return getter(api_user(self.request), pk)

    @extend_schema(parameters=[OpenApiParameter("box", OpenApiTypes.STR, enum=["inbox", "sent"])])
    def list(self, request: Request) -> Response:
        box = query_choice(request, "box", ("inbox", "sent"), "inbox")
        unit = self._unit()
        if box == "sent":
            sent = self.paginate_queryset(
                queries.sent(unit).prefetch_related("target_levels", "attachments")
            )
            return self.get_paginated_response(
                DirectiveSerializer(sent, many=True, context=self.get_serializer_context()).data
            )
        rows = queries.inbox(
            unit,
            state=request.query_params.get("state", ""),
            priority=request.query_params.get("priority", ""),
            overdue=query_flag(request, "overdue"),
        ).prefetch_related("directive__target_levels", "directive__attachments")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            InboxItemSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    def create(self, request: Request) -> Response:
        unit = self._unit()
        data = DirectiveSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        # The body is optional here; the action wants it spelled out.
        fields = {"body": "", **data.validated_data}
        directive = actions.create_directive(issuing_unit=unit, by=api_user(request), **fields)
        return Response(
            DirectiveSerializer(directive, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        responses=inline_serializer(
            "DirectiveDetail", {"my_delivery": DeliverySerializer(allow_null=True)}
        )
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        directive = self._directive(pk)
        desk = acting_desk(request)
        delivery = queries.my_delivery(directive, desk.unit if desk else None)
        if delivery is not None and delivery.state == Delivery.State.PENDING:
            delivery = None
        if delivery is not None:
            delivery = actions.mark_seen(delivery, by=api_user(request))
        data = DirectiveSerializer(directive, context=self.get_serializer_context()).data
        data["my_delivery"] = DeliverySerializer(delivery).data if delivery else None
        return Response(data)

    def partial_update(self, request: Request, pk: str) -> Response:
        directive = self._directive(pk, tracked=True)
        data = DirectiveSerializer(
            directive, data=request.data, partial=True, context=self.get_serializer_context()
        )
        data.is_valid(raise_exception=True)
        fields = {
            "title": directive.title,
            "body": directive.body,
            "due_at": directive.due_at,
            "target_unit": directive.target_unit,
            "priority": directive.priority,
            "mode": directive.mode,
            "target_levels": list(directive.target_levels.all()),
            **data.validated_data,
        }
        directive = actions.update_draft(directive, by=api_user(request), **fields)
        return Response(DirectiveSerializer(directive, context=self.get_serializer_context()).data)

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "Issued", {"status": serializers.CharField(), "expected": serializers.IntegerField()}
        ),
    )
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str) -> Response:
        directive = actions.issue(self._directive(pk, tracked=True), by=api_user(request))
        return Response(
            {
                "status": directive.status,
                "expected": directive.expected,
                "id": directive.pk,
                "reference": directive.reference,
            }
        )

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "SmsEstimate",
            {
                "sms": serializers.BooleanField(),
                "people": serializers.IntegerField(),
                "encoding": serializers.CharField(),
                "parts_per_sms": serializers.IntegerField(),
                "parts": serializers.IntegerField(),
                "price_per_part": serializers.DecimalField(max_digits=10, decimal_places=4),
                "cost": serializers.DecimalField(max_digits=14, decimal_places=4),
                "currency": serializers.CharField(),
                "text": serializers.CharField(),
            },
        ),
    )
    @action(detail=True, methods=["get"], url_path="sms-estimate")
    def sms_estimate(self, request: Request, pk: str) -> Response:
        """What issuing this directive sends by SMS: people, SMS parts and the cost in taka."""
        directive = self._directive(pk, tracked=True)
        return Response(queries.sms_estimate(directive).as_dict())

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        directive = actions.withdraw(self._directive(pk, tracked=True), by=api_user(request))
        return Response({"status": directive.status})

    def _move(self, request: Request, pk: str, move: Any) -> Response:
        directive = self._directive(pk)
        desk = acting_desk(request)
        delivery = queries.my_delivery(directive, desk.unit if desk else None)
        if delivery is None or delivery.state == Delivery.State.PENDING:
            raise Http404(_("This directive has not been sent to your unit."))
        note = NoteSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        delivery = move(
            delivery, by=api_user(request), note=note.validated_data["note"], via=Delivery.Via.API
        )
        return Response(DeliverySerializer(delivery).data)

    @extend_schema(request=NoteSerializer, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str) -> Response:
        return self._move(request, pk, actions.acknowledge)

    @extend_schema(request=NoteSerializer, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: str) -> Response:
        return self._move(request, pk, actions.mark_done)

    @extend_schema(request=NoteSerializer, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def forward(self, request: Request, pk: str) -> Response:
        return self._move(request, pk, actions.forward)

    @extend_schema(request=inline_serializer("Upload", {"file": serializers.FileField()}))
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request: Request, pk: str) -> Response:
        directive = self._directive(pk, tracked=True)
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": [_("Attach a file in the field 'file'.")]})
        item = actions.add_attachment(directive, upload, by=api_user(request))
        return Response(
            {
                "id": item.pk,
                "name": item.name,
                "size": item.size,
                "content_type": item.content_type,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        parameters=[OpenApiParameter("within", OpenApiTypes.INT)],
        responses=inline_serializer(
            "Tracking",
            {
                **FUNNEL,
                "by_level": inline_serializer(
                    "LevelFunnel", {"level": serializers.CharField(), **FUNNEL}, many=True
                ),
            },
        ),
    )
    @action(detail=True, methods=["get"])
    def tracking(self, request: Request, pk: str) -> Response:
        directive = self._directive(pk, tracked=True)
        total, by_level = queries.tracking(directive)
        data: dict[str, Any] = total.as_dict()
        data["acknowledged_by_sms"] = total.by_sms
        data["by_level"] = [
            {"level": f.level.slug if f.level else "", **f.as_dict()} for f in by_level
        ]
        if within := request.query_params.get("within"):
            node = queries.tracking_node(api_user(request), directive, within)
            data["branches"] = [
                {
                    "unit": f.unit.pk if f.unit else None,
                    "name_bn": f.unit.name_bn if f.unit else "",
                    "name_en": f.unit.name_en if f.unit else "",
                    **f.as_dict(),
                }
                for f in queries.drilldown(directive, node)
            ]
        return Response(data)

    @extend_schema(
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR),
            OpenApiParameter("level", OpenApiTypes.STR),
            OpenApiParameter("overdue", OpenApiTypes.BOOL),
            OpenApiParameter("within", OpenApiTypes.INT),
            OpenApiParameter("via", OpenApiTypes.STR, enum=Delivery.Via.values),
        ],
        responses=DeliverySerializer(many=True),
    )
    @action(detail=True, methods=["get"], url_path="tracking/units")
    def tracking_units(self, request: Request, pk: str) -> Response:
        directive = self._directive(pk, tracked=True)
        params = request.query_params
        within = (
            queries.tracking_node(api_user(request), directive, params["within"])
            if params.get("within")
            else None
        )
        rows = queries.tracking_units(
            directive,
            state=params.get("state", ""),
            level=params.get("level", ""),
            overdue=query_flag(request, "overdue"),
            within=within,
            via=params.get("via", ""),
        )
        page = self.paginate_queryset(rows)
        assert page is not None  # DEFAULT_PAGINATION_CLASS: the API always paginates
        return self.get_paginated_response(
            [
                {
                    "unit": d.unit_id,
                    "code": d.unit.code,
                    "name_bn": d.unit.name_bn,
                    "name_en": d.unit.name_en,
                    "level": d.level.slug,
                    "state": d.state,
                    "parent": d.unit.parent_id,
                    "parent_name_en": d.unit.parent.name_en if d.unit.parent else "",
                    "delivered_at": d.delivered_at,
                    "acknowledged_at": d.acknowledged_at,
                    "acknowledged_via": d.acknowledged_via,
                    "done_at": d.done_at,
                    "done_via": d.done_via,
                }
                for d in page
            ]
        )

    @extend_schema(
        request=RemindSerializer,
        responses=inline_serializer("Reminded", {"reminded": serializers.IntegerField()}),
    )
    @action(detail=True, methods=["post"])
    def remind(self, request: Request, pk: str) -> Response:
        directive = self._directive(pk, tracked=True)
        body = RemindSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        units = body.validated_data.get("units") or list(
            queries.tracking_units(directive, overdue=True).values_list("unit_id", flat=True)[:1000]
        )
        return Response({"reminded": actions.remind(directive, units, by=api_user(request))})


ROUTES = [("directives", DirectiveViewSet, "directive")]
