from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
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
    }


def _office_counts(request: HttpRequest) -> dict[str, int]:
    """The navigation's badges: directives not yet opened, notices not yet read."""
    from daptar.directives.queries import unread_count
    from daptar.notifications.models import Notification

    desk = acting_desk(request) if request.user.is_authenticated else None
    if desk is None:
        return {}
    return {
        "directives": unread_count(desk.unit),
        "notifications": Notification.objects.for_unit(desk.unit).unread().count(),
    }
