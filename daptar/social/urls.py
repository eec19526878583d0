from django.urls import path

from daptar.social import views
from daptar.social.bot import webhook

app_name = "social"
urlpatterns = [
    path("", views.channels, name="channels"),
    path("new/", views.edit_channel, name="new"),
    path("<int:channel_id>/", views.edit_channel, name="edit"),
    path("<int:channel_id>/state/", views.channel_state, name="state"),
    path("posts/<int:post_id>/retry/", views.retry, name="retry"),
    path("posts/<int:post_id>/cancel/", views.cancel, name="cancel"),
    path("posts/<int:post_id>/release/", views.release, name="release"),
    path("telegram/", views.telegram_link, name="telegram"),
    path("telegram/hook/", webhook.receive, name="telegram_hook"),
]
