from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from daptar.accounts.queries import acting_desk
from daptar.lib.api import (
    FileErrorsAsJson,
    FileNegotiation,
    limit_choices,
    query_choice,
    query_flag,
)
from daptar.lib.requests import api_user
from daptar.meetings import actions, ics, queries
from daptar.meetings.models import Decision, Invitation, Meeting, MeetingSeries
from daptar.people.models import Person, Post
from daptar.units.models import Level, Unit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

UNIT_ERRORS: dict[str, StrOrPromise] = {
    "does_not_exist": "No such unit in your subtree.",
    "incorrect_type": "Give the unit's id, a number.",
}


class ICalendarRenderer(renderers.BaseRenderer):
    """text/calendar for the .ics endpoint (errors are JSON: FileErrorsAsJson)."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()


# --- shapes ----------------------------------------------------------------------------------


class AgendaItemSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    minutes = serializers.IntegerField()


class InvitationSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id")
    person_name = serializers.CharField(source="person.name_bn")
    unit = serializers.IntegerField(source="unit_id", allow_null=True)
    post: serializers.SlugRelatedField[Post] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    rsvp = serializers.SerializerMethodField()
    guest = serializers.BooleanField(source="is_guest")

    class Meta:
        model = Invitation
        fields = [
            "id",
            "person",
            "person_name",
            "unit",
            "post",
            "guest",
            "rsvp",
            "rsvp_at",
            "attended",
            "joined_at",
        ]

    def get_rsvp(self, invitation: Invitation) -> str | None:
        return invitation.rsvp or None


class MeetingSerializer(serializers.ModelSerializer):
    """A meeting as lists show it; the detail adds its invitations."""

    host_unit = serializers.IntegerField(source="host_unit_id")
    series = serializers.IntegerField(source="series_id", allow_null=True)
    phase = serializers.SerializerMethodField()
    agenda = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "series",
            "phase",
            "host_unit",
            "starts_at",
            "ends_at",
            "duration_minutes",
            "mode",
            "place",
            "video_url",
            "status",
            "sequence",
            "invitations_count",
            "sent_at",
            "minutes_at",
            "agenda",
            "created_at",
        ]

    def get_phase(self, meeting: Meeting) -> int | None:
        return meeting.phase.number if meeting.phase_id and meeting.phase else None

    def get_agenda(self, meeting: Meeting) -> list[dict[str, Any]]:
        return [{"title": a.title, "minutes": a.minutes} for a in meeting.agenda.all()]


class MeetingDetailSerializer(MeetingSerializer):
    """The detail: the host side sees every invitation, an invitee only their own."""

    invitations = serializers.SerializerMethodField()
    my_invitation = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [
            *MeetingSerializer.Meta.fields,
            "invite_rule",
            "minutes",
            "invitations",
            "my_invitation",
        ]

    @extend_schema_field(InvitationSerializer(many=True))
    def get_invitations(self, meeting: Meeting) -> list[dict[str, Any]]:
        return InvitationSerializer(self.context.get("invitations") or [], many=True).data  # type: ignore[return-value]

    @extend_schema_field(InvitationSerializer(allow_null=True))
    def get_my_invitation(self, meeting: Meeting) -> dict[str, Any] | None:
        mine = self.context.get("mine")
        return InvitationSerializer(mine).data if mine else None  # type: ignore[return-value]


class InviteSerializer(serializers.Serializer):
    units = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Unit.objects.none(), required=False, default=list
    )
    within = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        error_messages=UNIT_ERRORS,
    )
    # The stubs miss that many=True takes a list default.
    levels = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        queryset=Level.objects.all(),
        required=False,
        default=list,  # type: ignore[arg-type]
    )
    posts = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        queryset=Post.objects.all(),
        required=False,
        default=list,  # type: ignore[arg-type]
    )
    persons = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Person.objects.none(), required=False, default=list
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Outside the caller's scope reads exactly like "no such unit / person".
            units = Unit.objects.visible_to(request.user)
            limit_choices(self.fields["units"], units).error_messages.update(UNIT_ERRORS)
            limit_choices(self.fields["within"], units)
            limit_choices(self.fields["persons"], Person.objects.visible_to(request.user))

    @staticmethod
    def rule(data: dict[str, Any]) -> queries.Rule:
        return queries.Rule(
            units=list(data["units"]),
            within=data["within"],
            levels=list(data["levels"]),
            posts=list(data["posts"]),
            persons=list(data["persons"]),
        )


class MeetingCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, allow_blank=True)
    agenda = AgendaItemSerializer(many=True, required=False, default=list)
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    host_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.none(), error_messages=UNIT_ERRORS
    )
    mode = serializers.ChoiceField(choices=Meeting.Mode.choices, default=Meeting.Mode.ONLINE)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    video_url = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    invite = InviteSerializer()
    series = serializers.PrimaryKeyRelatedField(
        queryset=MeetingSeries.objects.none(), required=False, allow_null=True, default=None
    )
    phase = serializers.IntegerField(required=False, allow_null=True, default=None)
    send = serializers.BooleanField(
        default=True, help_text="Send the invitations at once (false: a draft to check first)."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            limit_choices(self.fields["host_unit"], Unit.objects.visible_to(request.user))
            limit_choices(self.fields["series"], MeetingSeries.objects.visible_to(request.user))
            self.fields["invite"] = InviteSerializer(context=self.context)


class MeetingUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    agenda = AgendaItemSerializer(many=True, required=False)
    starts_at = serializers.DateTimeField(required=False)
    duration_minutes = serializers.IntegerField(required=False)
    mode = serializers.ChoiceField(choices=Meeting.Mode.choices, required=False)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    video_url = serializers.CharField(max_length=500, required=False, allow_blank=True)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()


class AttendanceSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    attended = serializers.BooleanField()


class DecisionInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    make_directive = serializers.BooleanField(required=False, default=False)
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class MinutesSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
    decisions = DecisionInputSerializer(many=True, required=False, default=list)


class DecisionSerializer(serializers.ModelSerializer):
    directive = serializers.IntegerField(source="directive_id", allow_null=True)
    directive_reference = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = ["id", "position", "title", "body", "directive", "directive_reference"]

    def get_directive_reference(self, decision: Decision) -> str | None:
        return decision.directive.reference if decision.directive else None


class MinutesResponseSerializer(serializers.Serializer):
    text = serializers.CharField()
    recorded_at = serializers.DateTimeField(allow_null=True)
    decisions = DecisionSerializer(many=True)


def _decision_input(data: dict[str, Any]) -> actions.DecisionInput:
    return actions.DecisionInput(**data)


# --- meetings --------------------------------------------------------------------------------


class MeetingViewSet(FileErrorsAsJson, viewsets.GenericViewSet):
    """Meetings: create with invitations by rule, answer, attend, calendar files, minutes."""

    serializer_class = MeetingSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular's schema pass: no caller
            return Meeting.objects.none()
        return (
            Meeting.objects.visible_to(api_user(self.request))
            .select_related("phase")
            .prefetch_related("agenda")
        )

    def _meeting(self, pk: str, *, hosted: bool = False) -> Meeting:
        getter = queries.get_hosted_meeting if hosted else queries.get_visible_meeting
        return getter(api_user(self.request), pk)

    def _detail(self, meeting: Meeting, code: int = status.HTTP_200_OK) -> Response:
        user = api_user(self.request)
        host_side = queries.is_host_side(user, meeting)
        mine = queries.my_invitation(meeting, user)
        rows = (
            list(queries.invitation_list(meeting).select_related("person", "post"))
            if host_side
            else [mine]
            if mine
            else []
        )
        context = {**self.get_serializer_context(), "invitations": rows, "mine": mine}
        return Response(MeetingDetailSerializer(meeting, context=context).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("box", OpenApiTypes.STR, enum=["all", "invited", "hosted"]),
            OpenApiParameter("upcoming", OpenApiTypes.BOOL),
            OpenApiParameter("series", OpenApiTypes.INT),
        ]
    )
    def list(self, request: Request) -> Response:
        rows = self.get_queryset()
        box = query_choice(request, "box", ("all", "invited", "hosted"), "all")
        if box == "invited":
            rows = rows.filter(
                invitations__person_id=api_user(request).person_id or 0,
                status=Meeting.Status.SENT,
            )
        elif box == "hosted":
            desk = acting_desk(request)
            if desk is None:
                raise Http404(_("You have no office desk."))
            rows = rows.filter(host_unit=desk.unit)
        if query_flag(request, "upcoming"):
            rows = rows.filter(ends_at__gt=timezone.now()).order_by("starts_at", "pk")
        if series := request.query_params.get("series"):
            # A series outside the caller's scope is a 404, as one that does not exist.
            rows = rows.filter(series=queries.get_visible_series(api_user(request), series))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(MeetingSerializer(page, many=True).data)

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingDetailSerializer})
    def create(self, request: Request) -> Response:
        body = MeetingCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        meeting = actions.create_meeting(
            host_unit=data["host_unit"],
            by=api_user(request),
            title=data["title"],
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            agenda=[actions.AgendaEntry(a["title"], a["minutes"]) for a in data["agenda"]],
            rule=InviteSerializer.rule(data["invite"]),
            mode=data["mode"],
            place=data["place"],
            video_url=data["video_url"],
            series=data["series"],
            phase_number=data["phase"],
            send=data["send"],
        )
        return self._detail(meeting, status.HTTP_201_CREATED)

    @extend_schema(responses=MeetingDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(self._meeting(pk))

    @extend_schema(request=MeetingUpdateSerializer, responses=MeetingDetailSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        meeting = self._meeting(pk, hosted=True)
        body = MeetingUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        agenda = data.get("agenda")
        meeting = actions.update_meeting(
            meeting,
            by=api_user(request),
            title=data.get("title", meeting.title),
            starts_at=data.get("starts_at", meeting.starts_at),
            duration_minutes=data.get("duration_minutes", meeting.duration_minutes),
            agenda=[actions.AgendaEntry(a["title"], a["minutes"]) for a in agenda]
            if agenda is not None
            else [actions.AgendaEntry(a.title, a.minutes) for a in meeting.agenda.all()],
            mode=data.get("mode", meeting.mode),
            place=data.get("place", meeting.place),
            video_url=data.get("video_url", meeting.video_url),
        )
        return self._detail(meeting)

    @extend_schema(request=None, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str) -> Response:
        meeting = actions.send_invitations(self._meeting(pk, hosted=True), by=api_user(request))
        return self._detail(meeting)

    @extend_schema(
        responses={(200, "text/calendar"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[ICalendarRenderer],
        content_negotiation_class=FileNegotiation,
    )
    def ics(self, request: Request, pk: str) -> Response:
        meeting = self._meeting(pk)
        response = Response(ics.meeting_ics(meeting), content_type=ics.CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
        return response

    def _mine(self, meeting: Meeting) -> Invitation:
        mine = queries.my_invitation(meeting, api_user(self.request))
        if mine is None:
            raise Http404(_("You are not invited to this meeting."))
        mine.meeting = meeting
        return mine

    @extend_schema(request=AnswerSerializer, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def rsvp(self, request: Request, pk: str) -> Response:
        mine = self._mine(self._meeting(pk))
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        mine = actions.answer(mine, by=api_user(request), answer=body.validated_data["answer"])
        return Response(InvitationSerializer(mine).data)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def join(self, request: Request, pk: str) -> Response:
        meeting = self._meeting(pk)
        mine = actions.join(self._mine(meeting), by=api_user(request))
        return Response({**InvitationSerializer(mine).data, "video_url": meeting.video_url})

    @extend_schema(request=AttendanceSerializer, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str) -> Response:
        meeting = self._meeting(pk, hosted=True)
        body = AttendanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invitation = (
            Invitation.objects.filter(meeting=meeting, person_id=body.validated_data["person"])
            .select_related("person", "post")
            .first()
        )
        if invitation is None:
            raise serializers.ValidationError({"person": [_("This person is not invited.")]})
        invitation.meeting = meeting
        invitation = actions.mark_attendance(
            invitation, by=api_user(request), attended=body.validated_data["attended"]
        )
        return Response(InvitationSerializer(invitation).data)

    @extend_schema(methods=["GET"], responses=MinutesResponseSerializer)
    @extend_schema(
        methods=["POST"], request=MinutesSerializer, responses={201: MinutesResponseSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def minutes(self, request: Request, pk: str) -> Response:
        meeting = self._meeting(pk, hosted=request.method == "POST")
        if request.method == "POST":
            body = MinutesSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            actions.record_minutes(
                meeting,
                by=api_user(request),
                text=body.validated_data["text"],
                decisions=[_decision_input(d) for d in body.validated_data["decisions"]],
            )
            meeting.refresh_from_db()
        decisions = meeting.decisions.select_related("directive")
        return Response(
            {
                "text": meeting.minutes,
                "recorded_at": meeting.minutes_at,
                "decisions": DecisionSerializer(decisions, many=True).data,
            },
            status=status.HTTP_201_CREATED if request.method == "POST" else status.HTTP_200_OK,
        )

    @extend_schema(request=DecisionInputSerializer, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"])
    def decisions(self, request: Request, pk: str) -> Response:
        """One more decision after the minutes; make_directive turns it into a directive draft."""
        meeting = self._meeting(pk, hosted=True)
        body = DecisionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = actions.add_decision(
            meeting, by=api_user(request), decision=_decision_input(body.validated_data)
        )
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


# --- series and the phase planner ------------------------------------------------------------


class SeriesSerializer(serializers.ModelSerializer):
    host_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.none(), error_messages=UNIT_ERRORS
    )
    title = serializers.CharField(max_length=200, allow_blank=True)
    phases = serializers.SerializerMethodField()

    class Meta:
        model = MeetingSeries
        fields = ["id", "title", "purpose", "host_unit", "phases", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"purpose": {"required": False, "allow_blank": True}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            limit_choices(self.fields["host_unit"], Unit.objects.visible_to(request.user))

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_phases(self, series: MeetingSeries) -> list[int]:
        return [p.number for p in series.phases.all()]


class PlanEntrySerializer(serializers.Serializer):
    phase = serializers.IntegerField()
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.none(), error_messages=UNIT_ERRORS
    )
    starts_at = serializers.DateTimeField()
    video_url = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class PlanSerializer(serializers.Serializer):
    entries = PlanEntrySerializer(many=True)
    duration_minutes = serializers.IntegerField()
    agenda = AgendaItemSerializer(many=True, required=False, default=list)
    level = serializers.SlugRelatedField(slug_field="slug", queryset=Level.objects.all())
    posts = serializers.SlugRelatedField(slug_field="slug", many=True, queryset=Post.objects.all())
    mode = serializers.ChoiceField(choices=Meeting.Mode.choices, default=Meeting.Mode.ONLINE)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    send = serializers.BooleanField(default=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            entries = self.fields["entries"]
            assert isinstance(entries, serializers.ListSerializer)
            assert isinstance(entries.child, PlanEntrySerializer)
            limit_choices(entries.child.fields["unit"], Unit.objects.visible_to(request.user))


class MeetingSeriesViewSet(viewsets.GenericViewSet):
    """Series of meetings and the phase planner (one meeting per division)."""

    serializer_class = SeriesSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular's schema pass: no caller
            return MeetingSeries.objects.none()
        user = api_user(self.request)
        return MeetingSeries.objects.visible_to(user).prefetch_related("phases")

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset().order_by("-created_at", "-pk"))
        return self.get_paginated_response(
            SeriesSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    def create(self, request: Request) -> Response:
        body = SeriesSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        series = actions.create_series(by=api_user(request), **body.validated_data)
        return Response(SeriesSerializer(series).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        series = queries.get_visible_series(api_user(request), pk)
        data = SeriesSerializer(series).data
        data["meetings"] = MeetingSerializer(
            queries.series_meetings(series).prefetch_related("agenda"), many=True
        ).data
        return Response(data)

    @extend_schema(request=PlanSerializer, responses={201: MeetingSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def plan(self, request: Request, pk: str) -> Response:
        user = api_user(request)
        series = queries.get_visible_series(user, pk)
        body = PlanSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        made = actions.plan_phases(
            series,
            by=user,
            entries=[
                actions.PlanEntry(e["phase"], e["unit"], e["starts_at"], e["video_url"])
                for e in data["entries"]
            ],
            duration_minutes=data["duration_minutes"],
            agenda=[actions.AgendaEntry(a["title"], a["minutes"]) for a in data["agenda"]],
            rule=queries.Rule(levels=[data["level"]], posts=list(data["posts"])),
            mode=data["mode"],
            place=data["place"],
            send=data["send"],
        )
        return Response(MeetingSerializer(made, many=True).data, status=status.HTTP_201_CREATED)


ROUTES = [
    ("meetings", MeetingViewSet, "meeting"),
    ("meeting-series", MeetingSeriesViewSet, "meeting-series"),
]
