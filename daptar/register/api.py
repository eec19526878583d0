"""The register over the API: committees proposed and approved, a unit's committee, imports."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from daptar.accounts.queries import acting_desk
from daptar.lib.api import limit_choices
from daptar.lib.requests import api_user
from daptar.lib.schema import OneObjectSchema
from daptar.people.models import Person, Post
from daptar.register import actions, queries, research
from daptar.register.models import Committee, ImportBatch, ImportRow, Seat
from daptar.units.models import Unit
from daptar.units.queries import get_visible_unit


def _caller(serializer: serializers.Serializer) -> Any:
    """The signed-in caller a serializer limits its choices to (None in the schema pass)."""
    request = serializer.context.get("request")
    if request is not None and request.user.is_authenticated:
        return request.user
    return None


class SeatSerializer(serializers.ModelSerializer):
    post: serializers.SlugRelatedField[Post] = serializers.SlugRelatedField(
        slug_field="slug", queryset=Post.objects.all()
    )
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(), allow_null=True, required=False
    )
    name_bn = serializers.CharField(source="person.name_bn", read_only=True, default="")
    name_en = serializers.CharField(source="person.name_en", read_only=True, default="")

    class Meta:
        model = Seat
        fields = ["post", "person", "name_bn", "name_en"]


class CommitteeSerializer(serializers.ModelSerializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.none())
    unit_name_bn = serializers.CharField(source="unit.name_bn", read_only=True)
    unit_name_en = serializers.CharField(source="unit.name_en", read_only=True)
    seats = SeatSerializer(many=True)

    class Meta:
        model = Committee
        fields = [
            "id",
            "unit",
            "unit_name_bn",
            "unit_name_en",
            "kind",
            "state",
            "formed_on",
            "term_months",
            "expires_on",
            "note",
            "proposed_by_unit",
            "approved_by_unit",
            "approved_at",
            "ended_on",
            "seats",
        ]
        read_only_fields = [
            "state",
            "term_months",
            "expires_on",
            "proposed_by_unit",
            "approved_by_unit",
            "approved_at",
            "ended_on",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if (user := _caller(self)) is not None:
            limit_choices(self.fields["unit"], Unit.objects.visible_to(user))
            people = Person.objects.visible_to(user)
            seats = self.fields["seats"]
            assert isinstance(seats, serializers.ListSerializer)
            limit_choices(seats.child.fields["person"], people)  # type: ignore[union-attr]


def _committees(user: Any) -> Any:
    return (
        Committee.objects.visible_to(user)
        .select_related("unit")
        .prefetch_related("seats__post", "seats__person")
    )


class CommitteeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Committees of the units the caller may see; POST proposes one; approve/ from above."""

    serializer_class = CommitteeSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Committee.objects.none()
        user = api_user(self.request)
        committees = _committees(user)
        params = self.request.query_params
        if unit := params.get("unit"):
            committees = committees.filter(unit=get_visible_unit(user, unit))
        if state := params.get("state"):
            if state not in Committee.State.values:
                raise ValidationError({"state": [_("Unknown state.")]})
            committees = committees.filter(state=state)
        return committees.order_by("unit__path", "-formed_on", "-pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        committee = actions.propose_committee(
            data["unit"],
            kind=data.get("kind", Committee.Kind.FULL),
            formed_on=data["formed_on"],
            seats=[(seat["post"], seat.get("person")) for seat in data["seats"]],
            note=data.get("note", ""),
            by=api_user(request),
        )
        fresh = _committees(api_user(request)).get(pk=committee.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CommitteeSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve a proposed committee (an office above its unit): old terms end, new begin."""
        committee = queries.get_visible_committee(api_user(request), pk or "")
        actions.approve_committee(committee, by=api_user(request))
        fresh = _committees(api_user(request)).get(pk=committee.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(request=None, responses=CommitteeSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        committee = queries.get_visible_committee(api_user(request), pk or "")
        note = request.data.get("note", "") if isinstance(request.data, dict) else ""
        actions.reject_committee(committee, by=api_user(request), note=str(note))
        fresh = _committees(api_user(request)).get(pk=committee.pk)
        return Response(self.get_serializer(fresh).data)


class UnitCommitteeViewSet(viewsets.GenericViewSet):
    """GET /units/<id>/committee/: the unit's current committee (404 when it has none)."""

    serializer_class = CommitteeSerializer
    pagination_class = None
    schema = OneObjectSchema()  # GET /figures/ answers one unit's tables, not a list

    def get_queryset(self) -> Any:
        return Committee.objects.none()

    def list(self, request: Request, unit_id: str = "") -> Response:
        user = api_user(request)
        unit = get_visible_unit(user, unit_id)
        committee = _committees(user).current().filter(unit=unit).first()
        if committee is None:
            raise NotFound(_("This unit has no current committee."))
        return Response(self.get_serializer(committee).data)


class ImportRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportRow
        fields = ["number", "outcome", "message", "data", "person"]


class ImportSerializer(serializers.ModelSerializer):
    file = serializers.FileField(write_only=True)
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.none(), required=False)
    post: serializers.SlugRelatedField[Post] = serializers.SlugRelatedField(
        slug_field="slug", queryset=Post.objects.all(), required=False
    )
    mapping = serializers.JSONField(required=False)
    rows = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "file",
            "unit",
            "post",
            "mapping",
            "filename",
            "state",
            "total",
            "done",
            "counts",
            "error",
            "applied_at",
            "undone_at",
            "rows",
        ]
        read_only_fields = [
            "filename",
            "state",
            "total",
            "done",
            "counts",
            "error",
            "applied_at",
            "undone_at",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if (user := _caller(self)) is not None:
            limit_choices(self.fields["unit"], Unit.objects.visible_to(user))

    def validate_mapping(self, value: Any) -> dict[str, str]:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as error:
                raise serializers.ValidationError(_("The mapping is not JSON.")) from error
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise serializers.ValidationError(_("Map each column header to a field name."))
        return value

    @extend_schema_field(ImportRowSerializer(many=True))
    def get_rows(self, batch: ImportBatch) -> list[dict[str, Any]]:
        """The preview: errors first, then the rest, at most 200 rows (see rows/ for all)."""
        rows = batch.rows.order_by("-outcome", "number")[:200]
        return ImportRowSerializer(rows, many=True).data  # type: ignore[return-value]


class ImportViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Upload a sheet (POST, multipart) → its preview; apply/ writes it; undo/ takes it back."""

    serializer_class = ImportSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ImportBatch.objects.none()
        return ImportBatch.objects.visible_to(api_user(self.request)).select_related("unit")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = api_user(request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        unit = data.get("unit")
        if unit is None:
            desk = acting_desk(request)
            if desk is None:
                raise ValidationError({"unit": [_("Name the unit whose register this is.")]})
            unit = desk.unit
        upload = data["file"]
        batch = actions.create_import(
            unit,
            filename=upload.name,
            content=upload.read(),
            post=data.get("post"),
            mapping=data.get("mapping"),
            by=user,
        )
        return Response(self.get_serializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ImportSerializer)
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, pk: str | None = None) -> Response:
        batch = queries.get_visible_batch(api_user(request), pk or "")
        batch = actions.apply_import(batch, by=api_user(request))
        return Response(self.get_serializer(batch).data)

    @extend_schema(request=None, responses=ImportSerializer)
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, pk: str | None = None) -> Response:
        batch = queries.get_visible_batch(api_user(request), pk or "")
        batch = actions.undo_import(batch, by=api_user(request))
        return Response(self.get_serializer(batch).data)


class FiguresViewSet(viewsets.GenericViewSet):
    """GET /figures/?unit=: the research cell's counts, no personal data, no cell under 5."""

    pagination_class = None
    schema = OneObjectSchema()  # GET /figures/ answers one unit's tables, not a list

    def get_queryset(self) -> Any:
        return Committee.objects.none()

    @extend_schema(
        responses=inline_serializer(
            "RegisterFigures",
            {
                "unit": serializers.IntegerField(),
                "min_cell": serializers.IntegerField(),
                "tables": serializers.ListField(child=serializers.DictField()),
            },
        )
    )
    def list(self, request: Request) -> Response:
        user = api_user(request)
        if unit_id := request.query_params.get("unit"):
            unit = get_visible_unit(user, unit_id)
        else:
            desk = acting_desk(request)
            if desk is None:
                raise NotFound(_("You have no desk."))
            unit = desk.unit
        tables = [
            {
                "key": table.key,
                "title": table.title,
                "cells": [{"label": c.label, "count": c.count} for c in table.cells],
            }
            for table in research.tables(unit)
        ]
        return Response(
            {"unit": unit.pk, "min_cell": settings.DAPTAR_REGISTER_MIN_CELL, "tables": tables}
        )


ROUTES = [
    ("committees", CommitteeViewSet, "committee"),
    (r"units/(?P<unit_id>[^/.]+)/committee", UnitCommitteeViewSet, "unit-committee"),
    ("imports", ImportViewSet, "import"),
    ("figures", FiguresViewSet, "figures"),
]
