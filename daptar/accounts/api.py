from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from daptar.accounts import actions
from daptar.accounts.forms import lockout_message
from daptar.accounts.queries import acting_desk, client_ip
from daptar.lib.throttling import LoginRateThrottle


class Credentials(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class UnitBrief(serializers.Serializer):
    id = serializers.IntegerField(source="unit.pk")
    name_bn = serializers.CharField(source="unit.name_bn")
    name_en = serializers.CharField(source="unit.name_en")
    level = serializers.CharField(source="unit.level.slug")
    role = serializers.CharField()


class Me(serializers.Serializer):
    username = serializers.CharField()
    name_bn = serializers.SerializerMethodField()
    name_en = serializers.SerializerMethodField()
    units = UnitBrief(source="desks", many=True)
    acting_unit = serializers.SerializerMethodField()

    def get_name_bn(self, user: Any) -> str:
        return user.person.name_bn if user.person else user.get_full_name()

    def get_name_en(self, user: Any) -> str:
        return user.person.name_en if user.person else user.get_full_name()

    @extend_schema_field(UnitBrief(allow_null=True))
    def get_acting_unit(self, user: Any) -> dict[str, Any] | None:
        """The desk this request acts for: the X-Daptar-Unit header's, else the highest."""
        desk = self.context.get("desk")
        return UnitBrief(desk).data if desk else None


@extend_schema(
    methods=["POST"],
    request=Credentials,
    responses={200: inline_serializer("TokenOut", {"token": serializers.CharField()})},
    auth=[],
    description="Exchange a username and password for the user's API token.",
)
@extend_schema(methods=["DELETE"], responses={204: None}, description="Revoke the caller's token.")
@api_view(["POST", "DELETE"])
@permission_classes([AllowAny])
@throttle_classes([LoginRateThrottle])
def token(request: Request) -> Response:
    """POST: exchange credentials for the user's API token. DELETE: revoke it."""
    if request.method == "DELETE":
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        actions.revoke_token(request.user, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
    data = Credentials(data=request.data)
    data.is_valid(raise_exception=True)
    username, ip = data.validated_data["username"], client_ip(request._request)
    if minutes := actions.login_lockout_minutes(username, ip):
        raise Throttled(wait=minutes * 60, detail=lockout_message(minutes))
    user = authenticate(
        request._request, username=username, password=data.validated_data["password"]
    )
    if user is None:
        actions.note_login_failure(username, ip)
        raise AuthenticationFailed(_("Wrong username or password."))
    actions.note_login_success(user, ip)
    return Response({"token": actions.issue_token(user, by=user).key})


@extend_schema(
    responses=Me,
    parameters=[
        OpenApiParameter(
            "X-Daptar-Unit",
            OpenApiTypes.INT,
            OpenApiParameter.HEADER,
            description="the unit to act for; 404 unless the caller has a desk there",
        )
    ],
)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The caller, the units they hold a desk for and the one this request acts for."""
    return Response(Me(request.user, context={"desk": acting_desk(request)}).data)
