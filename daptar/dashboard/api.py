"""The dashboard in the API: a unit's figures with its children's, and the map as SVG.

    GET /api/v1/dashboard/?unit=<id>&window=30
    GET /api/v1/dashboard/map.svg?measure=<name>&window=30&unit=<id>

`map.svg` is the router's `map` action reached through DRF's format suffix: the SVG
renderer's format is "svg", so no trailing slash is needed and `map/` answers the same.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from daptar.accounts.queries import acting_desk
from daptar.dashboard import charts, figures, measures, queries
from daptar.lib.api import FileErrorsAsJson, FileNegotiation
from daptar.lib.requests import api_user
from daptar.lib.schema import OneObjectSchema

#: Children per response page: the level below is at most a few hundred units.
PAGE_SIZE = 200


class SVGRenderer(BaseRenderer):
    media_type = "image/svg+xml"
    format = "svg"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return str(data).encode(self.charset)


class ParamsSerializer(serializers.Serializer):
    unit = serializers.CharField(required=False, allow_blank=True, default="")
    window = serializers.ChoiceField(
        choices=measures.WINDOWS,
        required=False,
        default=measures.DEFAULT_WINDOW,
        error_messages={"invalid_choice": "Choose a window of 30, 90 or 365 days."},
    )
    page = serializers.IntegerField(required=False, min_value=1, default=1)


class MapParamsSerializer(ParamsSerializer):
    measure = serializers.ChoiceField(
        choices=[m.name for m in measures.MAP_MEASURES],
        required=False,
        default="index",
        error_messages={"invalid_choice": "The map cannot be shaded by that measure."},
    )


MEASURES_SCHEMA = {
    m.name: serializers.FloatField(allow_null=True, help_text=str(m.help))
    for m in measures.MEASURES
}


class ChildSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    closed_on = serializers.DateField(allow_null=True)
    index = serializers.FloatField(allow_null=True)
    measures = serializers.DictField(child=serializers.FloatField(allow_null=True))


class DashboardSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    window = serializers.IntegerField()
    as_of = serializers.DateTimeField()
    index = serializers.FloatField(allow_null=True)
    measures = serializers.DictField(child=serializers.FloatField(allow_null=True))
    counts = serializers.DictField()
    own = serializers.DictField()
    weights = serializers.DictField(child=serializers.FloatField())
    children = ChildSerializer(many=True)
    children_count = serializers.IntegerField()
    page = serializers.IntegerField()


def _child(row: figures.Row) -> dict[str, Any]:
    return {
        "unit": row.unit.pk,
        "name": row.unit.name,
        "code": row.unit.code,
        "closed_on": row.unit.closed_on,
        "index": row.index,
        "measures": row.values,
    }


class DashboardViewSet(FileErrorsAsJson, viewsets.ViewSet):
    """Dynamism figures of a unit's subtree (404 outside the caller's scope)."""

    schema = OneObjectSchema()  # GET /dashboard/ answers one unit's board, not a list

    def _params(self, serializer_class: type[ParamsSerializer]) -> dict[str, Any]:
        # A plain dict: a blank value is then bad input (400), not "use the default".
        params = serializer_class(data=self.request.query_params.dict())
        params.is_valid(raise_exception=True)
        return dict(params.validated_data)

    def _node(self, unit_id: str) -> Any:
        desk = acting_desk(self.request)
        return queries.get_node(api_user(self.request), unit_id, desk.unit if desk else None)

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.INT, description="default: the acting unit"),
            OpenApiParameter("window", OpenApiTypes.INT, enum=[*measures.WINDOWS]),
            OpenApiParameter("page", OpenApiTypes.INT, description="of the children"),
        ],
        responses=DashboardSerializer,
    )
    def list(self, request: Request) -> Response:
        params = self._params(ParamsSerializer)
        node = self._node(params["unit"])
        board = figures.build(node, params["window"])
        rows = figures.sort_rows(board.children, "index", descending=True)
        start = (params["page"] - 1) * PAGE_SIZE
        counts = board.total.counts.as_dict()
        return Response(
            {
                "unit": node.pk,
                "window": params["window"],
                "as_of": board.window.end,
                "index": board.total.index,
                "measures": board.total.values,
                "counts": counts,
                "own": {"index": board.own.index, "measures": board.own.values},
                "weights": board.weights,
                "children": [_child(row) for row in rows[start : start + PAGE_SIZE]],
                "children_count": len(rows),
                "page": params["page"],
            }
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.INT, description="default: the acting unit"),
            OpenApiParameter("window", OpenApiTypes.INT, enum=[*measures.WINDOWS]),
            OpenApiParameter(
                "measure", OpenApiTypes.STR, enum=[m.name for m in measures.MAP_MEASURES]
            ),
        ],
        responses={(200, "image/svg+xml"): OpenApiResponse(OpenApiTypes.STR)},
        description="The map of the 64 districts as SVG; also at /api/v1/dashboard/map.svg.",
    )
    @action(
        detail=False,
        url_path="map",
        renderer_classes=[SVGRenderer],
        content_negotiation_class=FileNegotiation,
    )
    def map(self, request: Request, format: str | None = None) -> Response:
        params = self._params(MapParamsSerializer)
        node = self._node(params["unit"])
        days, name = params["window"], params["measure"]
        districts = figures.map_figures(node, days, name)
        svg = charts.district_map(
            districts, name, days=days, link=lambda u: charts.dashboard_url(u, days)
        )
        return Response(svg, content_type="image/svg+xml; charset=utf-8")


ROUTES = [("dashboard", DashboardViewSet, "dashboard")]
