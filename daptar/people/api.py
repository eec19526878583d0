"""The people directory over the API: search by name (Bengali or English) or phone."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from daptar.lib.requests import api_user
from daptar.people.models import Person, PersonQuerySet, Term
from daptar.people.privacy import sees_personal_data
from daptar.people.search import search_order
from daptar.units.models import Unit
from daptar.units.queries import get_visible_unit


class CurrentTermSerializer(serializers.ModelSerializer):
    post = serializers.CharField(source="post.slug")

    class Meta:
        model = Term
        fields = ["unit", "post", "started_on"]


class PersonSerializer(serializers.ModelSerializer):
    terms = CurrentTermSerializer(source="current_terms", many=True, read_only=True)

    class Meta:
        model = Person
        fields = ["id", "unit", "name_bn", "name_en", "phone", "email", "terms"]

    def to_representation(self, instance: Person) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("personal", True):
            data["phone"] = data["email"] = ""
        return data


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description="name in Bengali or English, or a phone number in any written form",
            ),
            OpenApiParameter("unit", OpenApiTypes.INT, description="this unit and its subtree"),
        ]
    )
)
class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """People registered in the caller's scope."""

    serializer_class = PersonSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["personal"] = sees_personal_data(api_user(self.request))
        return context

    def get_queryset(self) -> PersonQuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Person.objects.none()
        user = api_user(self.request)
        people = Person.objects.visible_to(user)
        if unit_id := self.request.query_params.get("unit"):
            unit = get_visible_unit(user, unit_id)
            people = people.filter(Unit.objects.subtree_q(unit, field="unit__path"))
        text = self.request.query_params.get("q", "")
        people = people.search(text)
        return people.prefetch_related(
            Prefetch(
                "terms",
                Term.objects.current().visible_to(user).select_related("post"),
                "current_terms",
            )
        ).order_by(*search_order(text))
