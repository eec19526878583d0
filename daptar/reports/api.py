from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from daptar.accounts.queries import acting_desk
from daptar.lib.api import limit_choices
from daptar.lib.requests import api_user
from daptar.reports import actions, queries
from daptar.reports.models import Category, Photo, Report
from daptar.reports.templatetags.report_photos import photo_path
from daptar.units.models import Unit
from daptar.units.queries import get_visible_unit


class RenditionSerializer(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    webp = serializers.CharField()
    jpeg = serializers.CharField()


class PhotoSerializer(serializers.ModelSerializer):
    renditions = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = [
            "id",
            "status",
            "order",
            "caption",
            "name",
            "width",
            "height",
            "sha256",
            "renditions",
        ]

    @extend_schema_field(RenditionSerializer(many=True))
    def get_renditions(self, photo: Photo) -> list[dict[str, Any]]:
        """Office addresses of each size (signed-in session); public ones once published."""
        public = photo.report.status == Report.Status.PUBLISHED
        return [
            {
                "width": r["w"],
                "height": r["h"],
                "webp": photo_path(photo, r["w"], "webp", public),
                "jpeg": photo_path(photo, r["w"], "jpg", public),
            }
            for r in photo.renditions
        ]


class ReportSerializer(serializers.ModelSerializer):
    unit = serializers.IntegerField(source="unit_id", read_only=True)
    category: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    place_unit = serializers.IntegerField(source="place_unit_id", read_only=True, allow_null=True)
    author = serializers.IntegerField(source="author_id", read_only=True)
    review_unit = serializers.IntegerField(source="review_unit_id", read_only=True, allow_null=True)
    approved_unit = serializers.IntegerField(
        source="approved_unit_id", read_only=True, allow_null=True
    )
    public_url = serializers.SerializerMethodField()
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "status",
            "unit",
            "author",
            "category",
            "title",
            "body",
            "event_date",
            "place",
            "place_unit",
            "participants",
            "review_unit",
            "approved_unit",
            "submitted_at",
            "approved_at",
            "published_at",
            "withdrawn_at",
            "public_url",
            "created_at",
            "updated_at",
            "photos",
        ]
        read_only_fields = fields

    def get_public_url(self, report: Report) -> str | None:
        return report.public_url if report.status == Report.Status.PUBLISHED else None


class ReportInputSerializer(serializers.Serializer):
    """What a client sends to create or edit a report (multipart when it carries photos)."""

    title = serializers.CharField(max_length=200)
    body = serializers.CharField()
    category: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.filter(is_active=True),
        error_messages={"does_not_exist": "No such category: {value}."},
    )
    event_date = serializers.DateField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    place_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.none(), required=False, allow_null=True, default=None
    )
    participants = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=actions.MAX_PARTICIPANTS,
        default=None,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A place outside the author's scope reads exactly like "no such unit".
            limit_choices(self.fields["place_unit"], Unit.objects.visible_to(request.user))


class CreateSerializer(ReportInputSerializer):
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    captions = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=300), required=False, default=list
    )
    idempotency_key = serializers.CharField(
        required=False, allow_blank=True, max_length=64, default=""
    )


class PhotosSerializer(serializers.Serializer):
    photos = serializers.ListField(child=serializers.FileField(), allow_empty=False)
    captions = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=300), required=False, default=list
    )


class ReviewNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ReportViewSet(viewsets.GenericViewSet):
    """Illustrated reports: draft with photos, submit, review, publish, withdraw."""

    serializer_class = ReportSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular's schema pass: no caller
            return Report.objects.none()
        return queries.with_photos(Report.objects.visible_to(api_user(self.request)))

    def _report(self, pk: str) -> Report:
        return queries.get_visible_report(api_user(self.request), pk)

    def _acting_unit(self) -> Unit | None:
        desk = acting_desk(self.request)
        return desk.unit if desk else None

    def _out(self, report: Report, code: int = status.HTTP_200_OK) -> Response:
        report = queries.get_visible_report(api_user(self.request), report.pk)
        return Response(ReportSerializer(report).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Report.Status.values),
            OpenApiParameter("unit", OpenApiTypes.INT, description="reports of this unit"),
            OpenApiParameter("within", OpenApiTypes.INT, description="reports of its subtree"),
        ]
    )
    def list(self, request: Request) -> Response:
        params = request.query_params
        state = params.get("status", "")
        if state and state not in Report.Status.values:
            raise ValidationError({"status": [_("No such status: %(s)s.") % {"s": state}]})
        unit = get_visible_unit(api_user(request), params["unit"]) if params.get("unit") else None
        within = (
            get_visible_unit(api_user(request), params["within"]) if params.get("within") else None
        )
        rows = queries.scoped(api_user(request), status=state, unit=unit, within=within)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ReportSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        report = self._report(pk)
        data = ReportSerializer(report).data
        data["history"] = [
            {
                "decision": step.decision,
                "unit": step.unit_id,
                "by": step.by.username if step.by else None,
                "note": step.note,
                "at": step.created_at,
            }
            for step in queries.history(report)
        ]
        return Response(data)

    @extend_schema(request=CreateSerializer, responses={201: ReportSerializer})
    def create(self, request: Request) -> Response:
        unit = self._acting_unit()
        if unit is None:
            raise Http404(_("You have no office desk."))
        data = CreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        key = fields.pop("idempotency_key") or request.META.get("HTTP_IDEMPOTENCY_KEY", "")
        report = actions.create_report(
            unit=unit, by=api_user(request), idempotency_key=key, **fields
        )
        return self._out(report, status.HTTP_201_CREATED)

    @extend_schema(request=ReportInputSerializer, responses=ReportSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        report = self._report(pk)
        current = {
            "title": report.title,
            "body": report.body,
            "category": report.category,
            "event_date": report.event_date,
            "place": report.place,
            "place_unit": report.place_unit,
            "participants": report.participants,
        }
        data = ReportInputSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        data.is_valid(raise_exception=True)
        report = actions.update_report(
            report, by=api_user(request), **{**current, **data.validated_data}
        )
        return self._out(report)

    @extend_schema(request=PhotosSerializer, responses={201: PhotoSerializer(many=True)})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def photos(self, request: Request, pk: str) -> Response:
        report = self._report(pk)
        data = PhotosSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photos = actions.add_photos(
            report,
            data.validated_data["photos"],
            by=api_user(request),
            captions=data.validated_data["captions"],
        )
        return Response(
            {"photos": PhotoSerializer(photos, many=True).data}, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"photos/(?P<photo_id>\d+)")
    def remove_photo(self, request: Request, pk: str, photo_id: str) -> Response:
        report = self._report(pk)
        actions.remove_photo(queries.get_photo(report, photo_id), by=api_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        return self._out(actions.submit(self._report(pk), by=api_user(request)))

    def _note(self) -> str:
        note = ReviewNoteSerializer(data=self.request.data)
        note.is_valid(raise_exception=True)
        return note.validated_data["note"]

    @extend_schema(request=ReviewNoteSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        report = self._report(pk)
        return self._out(
            actions.approve(
                report, by=api_user(request), note=self._note(), as_unit=self._acting_unit()
            )
        )

    @extend_schema(request=ReviewNoteSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str) -> Response:
        report = self._report(pk)
        return self._out(
            actions.return_report(
                report, by=api_user(request), note=self._note(), as_unit=self._acting_unit()
            )
        )

    @extend_schema(request=None, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        report = actions.publish(
            self._report(pk), by=api_user(request), as_unit=self._acting_unit()
        )
        return self._out(report)

    @extend_schema(request=ReviewNoteSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        report = self._report(pk)
        return self._out(
            actions.withdraw(
                report, by=api_user(request), note=self._note(), as_unit=self._acting_unit()
            )
        )


# (prefix, viewset, basename) triples that daptar/urls.py registers on the API router.
ROUTES = [("reports", ReportViewSet, "report")]
