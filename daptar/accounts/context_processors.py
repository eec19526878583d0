from typing import Any

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import import_string
from django.utils.translation import get_language

from daptar.accounts.queries import acting_desk
from daptar.lib.calendars import three_calendar_line


def office(request: HttpRequest) -> dict[str, Any]:
    """What every page's header needs: the organisation, today in three calendars, the desk."""
    language = get_language() or "bn"
    english = language.startswith("en")
    return {
        "organisation_name": settings.ORGANISATION_NAME_EN
        if english
        else settings.ORGANISATION_NAME,
        "today_line": SimpleLazyObject(
            lambda: three_calendar_line(timezone.localdate(), "en" if english else "bn")
        ),
        "desk": SimpleLazyObject(lambda: acting_desk(request)),
        "office_counts": SimpleLazyObject(lambda: _office_counts(request)),
        "office_nav": SimpleLazyObject(_office_nav),
    }


def _office_nav() -> list[tuple[str, str, str]]:
    """(url, label, app label) for each domain app that declares `nav` in its AppConfig."""
    entries = []
    for config in apps.get_app_configs():
        for url_name, label in getattr(config, "nav", []):
            try:
                entries.append((reverse(url_name), str(label), config.label))
            except NoReverseMatch:
                continue
    return entries


def _office_counts(request: HttpRequest) -> dict[str, int]:
    """The navigation's badges: directives not yet opened, notices not yet read."""
    from daptar.directives.queries import unread_count
    from daptar.notifications.models import Notification

    desk = acting_desk(request) if request.user.is_authenticated else None
    if desk is None:
        return {}
    counts = {
        "directives": unread_count(desk.unit),
        "notifications": Notification.objects.for_unit(desk.unit).unread().count(),
    }
    # A domain app may name a function (unit -> int) in its AppConfig's `badge`.
    for config in apps.get_app_configs():
        if badge := getattr(config, "badge", None):
            counts[config.label] = import_string(badge)(desk.unit)
    return counts
