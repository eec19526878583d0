from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from daptar.lib.requests import api_user
from daptar.units import queries
from daptar.units.models import Level, Unit, UnitQuerySet


class UnitSerializer(serializers.ModelSerializer):
    level: serializers.SlugRelatedField[Level] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = Unit
        fields = ["id", "code", "name_bn", "name_en", "level", "kind", "parent"]


class OfficeBearerSerializer(serializers.Serializer):
    post = serializers.CharField(source="post.slug")
    name_bn = serializers.CharField(source="person.name_bn")
    name_en = serializers.CharField(source="person.name_en")


class UnitDetailSerializer(UnitSerializer):
    children_count = serializers.IntegerField()
    office_bearers = serializers.SerializerMethodField()

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "children_count", "office_bearers"]

    @extend_schema_field(OfficeBearerSerializer(many=True))
    def get_office_bearers(self, unit: Unit) -> list[dict[str, Any]]:
        bearers = OfficeBearerSerializer(queries.office_bearers([unit.pk]), many=True)
        # The stubs miss that many=True makes a ListSerializer, whose data is a list.
        return bearers.data  # type: ignore[return-value]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("level", OpenApiTypes.STR, description="level slug"),
            OpenApiParameter("parent", OpenApiTypes.INT, description="children of this unit"),
            OpenApiParameter("within", OpenApiTypes.INT, description="this unit and its subtree"),
            OpenApiParameter("search", OpenApiTypes.STR, description="Bengali or English name"),
        ]
    )
)
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """The units the caller may see."""

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return UnitDetailSerializer if self.action == "retrieve" else UnitSerializer

    def get_queryset(self) -> UnitQuerySet:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular's schema pass: no caller
            return Unit.objects.none()
        user = api_user(self.request)
        units = Unit.objects.visible_to(user).select_related("level")
        if self.action == "retrieve":
            return units.annotate(children_count=Count("children"))
        params = self.request.query_params
        if slug := params.get("level"):
            level = Level.objects.filter(slug=slug).first()
            if level is None:
                known = ", ".join(Level.objects.values_list("slug", flat=True))
                message = _("Unknown level “%(slug)s”. Known levels: %(known)s.")
                raise ValidationError({"level": [message % {"slug": slug, "known": known}]})
            units = units.filter(level=level)
        if parent := params.get("parent"):
            units = units.filter(parent=queries.get_visible_unit(user, parent))
        if within := params.get("within"):
            units = units.subtree(queries.get_visible_unit(user, within))
        if search := params.get("search"):
            units = units.search(search)
        return units.order_by("path")
