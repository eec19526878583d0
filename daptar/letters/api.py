"""Letters over the API: send, list by box, read a thread, forward, close."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from daptar.accounts.models import Desk
from daptar.accounts.queries import acting_desk
from daptar.letters import actions, queries
from daptar.letters.models import Letter, Receipt
from daptar.lib.api import FileNegotiation, query_choice
from daptar.lib.requests import api_user
from daptar.units.models import Unit

BOXES = ["inward", "outward", "pending", "pending_others"]


class LetterSerializer(serializers.ModelSerializer):
    """A letter as every reader of it sees it."""

    thread = serializers.IntegerField(source="thread_id", read_only=True)
    reply_to = serializers.IntegerField(source="reply_to_id", read_only=True, allow_null=True)
    from_unit = serializers.IntegerField(source="sender_id", read_only=True)
    from_unit_code = serializers.CharField(source="sender.code", read_only=True)
    from_unit_name_bn = serializers.CharField(source="sender.name_bn", read_only=True)
    from_unit_name_en = serializers.CharField(source="sender.name_en", read_only=True)
    to_unit = serializers.IntegerField(source="recipient_id", read_only=True)
    to_unit_code = serializers.CharField(source="recipient.code", read_only=True)
    to_unit_name_bn = serializers.CharField(source="recipient.name_bn", read_only=True)
    to_unit_name_en = serializers.CharField(source="recipient.name_en", read_only=True)
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Letter
        fields = [
            "id",
            "memo_no",
            "thread",
            "reply_to",
            "from_unit",
            "from_unit_code",
            "from_unit_name_bn",
            "from_unit_name_en",
            "to_unit",
            "to_unit_code",
            "to_unit_name_bn",
            "to_unit_name_en",
            "subject",
            "body",
            "priority",
            "confidential",
            "sent_at",
            "attachments",
        ]
        read_only_fields = fields

    @extend_schema_field(
        inline_serializer(
            "LetterAttachment",
            {
                "id": serializers.IntegerField(),
                "name": serializers.CharField(),
                "size": serializers.IntegerField(),
                "content_type": serializers.CharField(),
            },
            many=True,
        )
    )
    def get_attachments(self, letter: Letter) -> list[dict[str, Any]]:
        return [
            {"id": a.pk, "name": a.name, "size": a.size, "content_type": a.content_type}
            for a in letter.attachments.all()
        ]


class ReceiptSerializer(serializers.ModelSerializer):
    """A letter at one office: when it came, from whom it was forwarded, what was done."""

    unit = serializers.IntegerField(source="unit_id", read_only=True)
    via = serializers.IntegerField(source="via_id", read_only=True, allow_null=True)
    answer = serializers.IntegerField(source="answer_id", read_only=True, allow_null=True)
    age_days = serializers.SerializerMethodField()

    class Meta:
        model = Receipt
        fields = [
            "id",
            "unit",
            "via",
            "state",
            "received_at",
            "handled_at",
            "note",
            "answer",
            "age_days",
        ]
        read_only_fields = fields

    def get_age_days(self, receipt: Receipt) -> int | None:
        """Days the letter has waited here; null once dealt with."""
        if not receipt.is_pending:
            return None
        return queries.age_days(receipt.received_at, self.context.get("now"))


class LetterItemSerializer(LetterSerializer):
    """A list row: the letter, with the caller's receipt (inward, pending lists) or the
    recipient's state (outward), or the receipt pending elsewhere (pending_others)."""

    receipt = ReceiptSerializer(read_only=True, allow_null=True)
    state = serializers.CharField(read_only=True, allow_null=True)

    class Meta(LetterSerializer.Meta):
        fields = [*LetterSerializer.Meta.fields, "receipt", "state"]
        read_only_fields = fields


class WriteSerializer(serializers.Serializer):
    to_unit = serializers.IntegerField(required=False, allow_null=True)
    subject = serializers.CharField(allow_blank=True, max_length=200)
    body = serializers.CharField(allow_blank=True, required=False, default="")
    priority = serializers.ChoiceField(choices=Letter.Priority.choices, default="normal")
    confidential = serializers.BooleanField(default=False)
    reply_to = serializers.IntegerField(required=False, allow_null=True)
    attachments = serializers.ListField(child=serializers.FileField(), required=False)


class ForwardSerializer(serializers.Serializer):
    to_unit = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class CloseSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, max_length=2000)


class LetterWithThreadSerializer(LetterSerializer):
    """The schema of a letter's detail: the letter, its readable thread, where it has been."""

    thread_letters = LetterSerializer(many=True, read_only=True)
    movements = ReceiptSerializer(many=True, read_only=True)
    my_receipt = ReceiptSerializer(allow_null=True, read_only=True)

    class Meta(LetterSerializer.Meta):
        fields = [*LetterSerializer.Meta.fields, "thread_letters", "movements", "my_receipt"]


class LetterViewSet(viewsets.GenericViewSet):
    """Letters between offices, for the acting unit (X-Daptar-Unit)."""

    serializer_class = LetterSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular's schema pass: no caller
            return Letter.objects.none()
        user = api_user(self.request)
        return Letter.objects.visible_to(user).select_related("sender", "recipient")

    def _desk(self) -> Desk:
        desk = acting_desk(self.request)
        if desk is None:
            raise Http404(_("You have no office desk."))
        return desk

    def _period(self) -> tuple[int | None, int | None]:
        params, errors = self.request.query_params, {}
        year = month = None
        if params.get("year"):
            try:
                year = int(params["year"])
                if not 2000 <= year <= 2100:
                    raise ValueError
            except ValueError:
                errors["year"] = [_("Give a year like 2026.")]
        if params.get("month"):
            try:
                month = int(params["month"])
                if not 1 <= month <= 12:
                    raise ValueError
            except ValueError:
                errors["month"] = [_("Give a month from 1 to 12.")]
            if year is None and "year" not in errors:
                errors["year"] = [_("Choose the year of that month.")]
        if errors:
            raise serializers.ValidationError(errors)
        return year, month

    def _rows(self, box: str, unit: Unit, year: int | None, month: int | None) -> Any:
        bounds = queries.month_bounds(year, month)
        if box == "inward":
            return queries.inward(unit, year=year, month=month)
        if box == "outward":
            return queries.outward(unit, year=year, month=month)
        rows = (
            queries.pending_with_us(unit) if box == "pending" else queries.pending_with_others(unit)
        )
        if bounds:
            rows = rows.filter(received_at__gte=bounds[0], received_at__lt=bounds[1])
        return rows

    @extend_schema(
        parameters=[
            OpenApiParameter("box", OpenApiTypes.STR, enum=BOXES, default="inward"),
            OpenApiParameter("year", OpenApiTypes.INT),
            OpenApiParameter("month", OpenApiTypes.INT),
        ],
        responses=LetterItemSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        unit = self._desk().unit
        box = query_choice(request, "box", tuple(BOXES), "inward")
        year, month = self._period()
        rows = self._rows(box, unit, year, month)
        context = {**self.get_serializer_context(), "now": timezone.now()}
        if box == "outward":
            page = (
                self.paginate_queryset(
                    rows.select_related("sender").prefetch_related("attachments")
                )
                or []
            )
            letters = LetterSerializer(page, many=True, context=context).data
            items = [
                {**data, "receipt": None, "state": letter.state}
                for data, letter in zip(letters, page, strict=True)
            ]
        else:
            page = (
                self.paginate_queryset(
                    rows.select_related("letter__sender", "letter__recipient").prefetch_related(
                        "letter__attachments"
                    )
                )
                or []
            )
            # One serializer for the page, not one per row: DRF's set-up is the cost here.
            letters = LetterSerializer([r.letter for r in page], many=True, context=context).data
            receipts = ReceiptSerializer(page, many=True, context=context).data
            items = [
                {**data, "receipt": receipt, "state": receipt["state"]}
                for data, receipt in zip(letters, receipts, strict=True)
            ]
        return self.get_paginated_response(items)

    @extend_schema(
        request={"application/json": WriteSerializer, "multipart/form-data": WriteSerializer},
        responses={201: LetterSerializer},
    )
    def create(self, request: Request) -> Response:
        user = api_user(request)
        unit = self._desk().unit
        body = WriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        reply_to = None
        if data.get("reply_to") is not None:
            reply_to = Letter.objects.visible_to(user).filter(pk=data["reply_to"]).first()
            if reply_to is None:
                raise ValidationError({"reply_to": [_("No such letter.")]})
        to_unit = None
        if data.get("to_unit") is not None:
            to_unit = Unit.objects.filter(pk=data["to_unit"]).first()
        elif reply_to is not None:
            to_unit = reply_to.sender
        letter = actions.send(
            sender=unit,
            by=user,
            to_unit=to_unit,
            subject=data["subject"],
            body=data["body"],
            priority=data["priority"],
            confidential=data["confidential"],
            reply_to=reply_to,
            attachments=request.FILES.getlist("attachments"),
        )
        letter = Letter.objects.select_related("sender", "recipient").get(pk=letter.pk)
        return Response(
            LetterSerializer(letter, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses=LetterWithThreadSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        user = api_user(request)
        letter = queries.get_visible_letter(user, pk)
        desk = acting_desk(request)
        mine = queries.holding(letter, desk.unit if desk else None)
        context = {**self.get_serializer_context(), "now": timezone.now()}
        data = dict(LetterSerializer(letter, context=context).data)
        data["thread_letters"] = LetterSerializer(
            queries.thread(letter, user), many=True, context=context
        ).data
        data["movements"] = ReceiptSerializer(
            queries.movements(letter), many=True, context=context
        ).data
        data["my_receipt"] = ReceiptSerializer(mine, context=context).data if mine else None
        return Response(data)

    def _mine(self, pk: str) -> Receipt:
        letter = queries.get_visible_letter(api_user(self.request), pk)
        mine = queries.holding(letter, self._desk().unit)
        if mine is None:
            raise Http404(_("This letter has not come to your office."))
        return mine

    @extend_schema(
        request=ForwardSerializer,
        responses=inline_serializer(
            "Forwarded", {"receipt": ReceiptSerializer(), "forwarded": ReceiptSerializer()}
        ),
    )
    @action(detail=True, methods=["post"])
    def forward(self, request: Request, pk: str) -> Response:
        mine = self._mine(pk)
        body = ForwardSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        to_unit = Unit.objects.filter(pk=body.validated_data["to_unit"]).first()
        passed = actions.forward(
            mine, to_unit=to_unit, note=body.validated_data["note"], by=api_user(request)
        )
        mine.refresh_from_db()
        return Response(
            {"receipt": ReceiptSerializer(mine).data, "forwarded": ReceiptSerializer(passed).data}
        )

    @extend_schema(request=CloseSerializer, responses=ReceiptSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        mine = self._mine(pk)
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        receipt = actions.close(mine, note=body.validated_data["note"], by=api_user(request))
        return Response(ReceiptSerializer(receipt).data)

    @extend_schema(
        # The attachment as it was checked in: a PDF or a picture.
        responses={
            (200, media): OpenApiTypes.BINARY
            for media in ("application/pdf", "image/jpeg", "image/png", "image/webp")
        }
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>\d+)",
        content_negotiation_class=FileNegotiation,
    )
    def attachment(self, request: Request, pk: str, attachment_id: str) -> FileResponse:
        letter = queries.get_visible_letter(api_user(request), pk)
        item = get_object_or_404(letter.attachments, pk=attachment_id)
        return FileResponse(
            item.file.open("rb"), filename=item.name, content_type=item.content_type
        )


# (prefix, viewset, basename) triples that daptar/urls.py registers on the API router.
ROUTES = [("letters", LetterViewSet, "letter")]
