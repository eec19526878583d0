from django.urls import path

from daptar.directives import views

app_name = "directives"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("sent/", views.sent, name="sent"),
    path("escalated/", views.escalated, name="escalated"),
    path("new/", views.compose, name="compose"),
    path("recipients/", views.recipients_preview, name="recipients"),
    path("<int:directive_id>/", views.detail, name="detail"),
    path("<int:directive_id>/edit/", views.compose, name="edit"),
    path("<int:directive_id>/issue/", views.issue, name="issue"),
    path("<int:directive_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:directive_id>/acknowledge/", views.act, {"verb": "acknowledge"}, name="acknowledge"),
    path("<int:directive_id>/done/", views.act, {"verb": "done"}, name="done"),
    path("<int:directive_id>/forward/", views.act, {"verb": "forward"}, name="forward"),
    path("<int:directive_id>/attachments/", views.attach, name="attach"),
    path(
        "<int:directive_id>/attachments/<int:attachment_id>/", views.attachment, name="attachment"
    ),
    path("<int:directive_id>/tracking/", views.tracking, name="tracking"),
    path("<int:directive_id>/tracking/units/", views.tracking_units, name="tracking_units"),
    path("<int:directive_id>/remind/", views.remind, name="remind"),
]
