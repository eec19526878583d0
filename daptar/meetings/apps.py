from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "daptar.meetings"
    verbose_name = _("Meetings")
    nav = [("meetings:list", _("Meetings"))]
    # Upcoming meetings with an invitation to the acting unit that nobody has answered.
    badge = "daptar.meetings.queries.unanswered_count"
