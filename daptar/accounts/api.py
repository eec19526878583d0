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
from rest_framework.exceptions import (
    AuthenticationFailed,
    NotAuthenticated,
    PermissionDenied,
    Throttled,
)
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from daptar.accounts import actions, codes, twofactor
from daptar.accounts.forms import codes_limit_message, lockout_message
from daptar.accounts.models import ApiToken, SMSDevice
from daptar.accounts.queries import acting_desk, client_ip
from daptar.accounts.signin_views import match_device
from daptar.lib.numerals import to_ascii_digits
from daptar.lib.throttling import LoginRateThrottle


class Credentials(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        required=False,
        max_length=16,
        help_text="The second factor's code (authenticator, SMS or recovery code); "
        "required when the user has one or their desk needs one.",
    )
    send_sms = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Text a code to the user's phone (when SMS is one of their factors).",
    )


class SecondFactorRequired(AuthenticationFailed):
    """401 whose body names what is missing: code `otp_required` or `otp_invalid`."""

    def __init__(self, detail: str, code: str) -> None:
        super().__init__({"detail": detail, "code": code})


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
    description=(
        "Exchange a username and password for the user's API token. A user with a second "
        "factor (or whose desk needs one) must also send `otp`: without it the answer is 401 "
        "with code `otp_required` (and `send_sms: true` texts a code first); a user who "
        "needs one and has none gets 403 until they set it up on the website. Tokens "
        "expire after DAPTAR_API_TOKEN_DAYS."
    ),
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
        used = request.auth if isinstance(request.auth, ApiToken) else None
        actions.revoke_token(request.user, by=request.user, token_id=used.pk if used else None)
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
    _second_factor(user, data.validated_data, ip)
    actions.note_login_success(user, ip)
    return Response({"token": actions.issue_token(user, by=user).key})


def _second_factor(user: Any, data: dict[str, Any], ip: str | None) -> None:
    """Raise unless the token request carries the second factor the user owes."""
    if not twofactor.has_factor(user):
        if twofactor.required(user):
            raise PermissionDenied(
                _("Your desk needs two-factor sign-in: set it up on the website first.")
            )
        return
    devices = twofactor.devices(user)
    code = data.get("otp") or ""
    if not code:
        if data.get("send_sms"):
            sms = next((d for d in devices if isinstance(d, SMSDevice)), None)
            if sms is not None:
                try:
                    codes.count_request(codes.verified_phone(user), ip)
                except codes.TooManyCodes as limited:
                    raise Throttled(
                        wait=limited.minutes * 60, detail=codes_limit_message(limited.minutes)
                    ) from None
                sms.generate_challenge()
        raise SecondFactorRequired(
            _("Send the code from your second factor as otp."), "otp_required"
        )
    if minutes := actions.second_factor_lockout_minutes(user):
        raise Throttled(wait=minutes * 60, detail=lockout_message(minutes))
    device = match_device(devices, to_ascii_digits(code).strip().lower())
    actions.note_second_factor(user, device, step="api-token")
    if device is None:
        raise SecondFactorRequired(_("That code is wrong or has expired."), "otp_invalid")


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
