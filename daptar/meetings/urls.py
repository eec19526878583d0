from django.urls import path

from daptar.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.invitations, name="list"),
    path("hosted/", views.hosted, name="hosted"),
    path("new/", views.new, name="new"),
    path("people/", views.people, name="people"),
    path("series/", views.series_list, name="series_list"),
    path("series/<int:series_id>/", views.series_detail, name="series"),
    path("series/<int:series_id>/plan/", views.plan, name="plan"),
    path("calendar/", views.feed, name="feed"),
    path("calendar/revoke/", views.revoke_feed, name="revoke_feed"),
    path("calendar/<str:token>.ics", views.feed_ics, name="feed_ics"),
    path("<int:meeting_id>/", views.detail, name="detail"),
    path("<int:meeting_id>/edit/", views.edit, name="edit"),
    path("<int:meeting_id>/send/", views.send, name="send"),
    path("<int:meeting_id>/discard/", views.discard, name="discard"),
    path("<int:meeting_id>/rsvp/", views.rsvp, name="rsvp"),
    path("<int:meeting_id>/join/", views.join, name="join"),
    path("<int:meeting_id>/calendar.ics", views.calendar_file, name="ics"),
    path("<int:meeting_id>/attendance/", views.attendance, name="attendance"),
    path("<int:meeting_id>/attendance/<int:invitation_id>/", views.mark, name="mark"),
    path("<int:meeting_id>/minutes/", views.minutes, name="minutes"),
    path("<int:meeting_id>/minutes/print/", views.minutes_print, name="minutes_print"),
    path("<int:meeting_id>/decisions/", views.add_decision, name="add_decision"),
    path(
        "<int:meeting_id>/decisions/<int:decision_id>/directive/",
        views.decision_directive,
        name="decision_directive",
    ),
]
