"""The social API: channels within scope (credentials write-only), a report's posts, retry."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from daptar.lib.api import limit_choices
from daptar.lib.requests import api_user
from daptar.reports.models import Category
from daptar.reports.queries import get_visible_report
from daptar.social import actions, queries
from daptar.social.models import SocialChannel, SocialPost
from daptar.units.models import Unit


class ChannelSerializer(serializers.ModelSerializer):
    """A channel; `credentials` is taken on writing and never given back."""

    categories = serializers.SlugRelatedField(
        slug_field="slug", many=True, required=False, queryset=Category.objects.all()
    )
    credentials = serializers.DictField(
        child=serializers.CharField(), write_only=True, required=False
    )
    has_credentials = serializers.BooleanField(read_only=True)
    posts_this_month = serializers.SerializerMethodField()

    class Meta:
        model = SocialChannel
        fields = [
            "id",
            "unit",
            "kind",
            "name",
            "target",
            "state",
            "state_reason",
            "reach",
            "categories",
            "needs_review",
            "language",
            "hashtags",
            "credentials",
            "has_credentials",
            "posts_this_month",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["state", "state_reason", "created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            limit_choices(self.fields["unit"], Unit.objects.visible_to(api_user(request)))

    def get_posts_this_month(self, channel: SocialChannel) -> int:
        counted = getattr(channel, "month_posts", None)
        return int(counted) if counted is not None else actions.posts_this_month(channel)


class PostSerializer(serializers.ModelSerializer):
    channel_name = serializers.CharField(source="channel.name", read_only=True)
    network = serializers.CharField(source="channel.kind", read_only=True)

    class Meta:
        model = SocialPost
        fields = [
            "id",
            "report",
            "channel",
            "channel_name",
            "network",
            "status",
            "attempts",
            "next_attempt_at",
            "external_id",
            "url",
            "last_error",
            "sent_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ChannelViewSet(viewsets.GenericViewSet):
    """Social channels of the units in the caller's scope."""

    serializer_class = ChannelSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return SocialChannel.objects.none()
        return SocialChannel.objects.visible_to(api_user(self.request))

    def list(self, request: Request) -> Response:
        rows = queries.channels_for(api_user(request))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ChannelSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        channel = queries.get_visible_channel(api_user(request), pk)
        return Response(ChannelSerializer(channel).data)

    def create(self, request: Request) -> Response:
        data = ChannelSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        secrets = fields.pop("credentials", {})
        categories = fields.pop("categories", None)
        channel = actions.save_channel(
            SocialChannel(**fields), by=api_user(request), secrets=secrets, categories=categories
        )
        return Response(ChannelSerializer(channel).data, status=status.HTTP_201_CREATED)


class PostViewSet(viewsets.GenericViewSet):
    """One post: send it again."""

    serializer_class = PostSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return SocialPost.objects.none()
        return SocialPost.objects.visible_to(api_user(self.request))

    @extend_schema(request=None, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str) -> Response:
        post = queries.get_visible_post(api_user(request), pk)
        post = actions.retry_post(post, by=api_user(request))
        return Response(PostSerializer(post).data)


class ReportPostsViewSet(viewsets.GenericViewSet):
    """Where a report went: its post on each channel."""

    serializer_class = PostSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return SocialPost.objects.none()

    def list(self, request: Request, report_id: str) -> Response:
        report = get_visible_report(api_user(request), report_id)
        return Response(PostSerializer(queries.posts_of(report), many=True).data)


ROUTES = [
    ("social/channels", ChannelViewSet, "social-channel"),
    ("social/posts", PostViewSet, "social-post"),
    (r"reports/(?P<report_id>\d+)/posts", ReportPostsViewSet, "report-posts"),
]
