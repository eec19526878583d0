from django.urls import path

from daptar.letters import views

app_name = "letters"
urlpatterns = [
    path("", views.pending, name="pending"),
    path("pending/others/", views.pending_others, name="pending_others"),
    path("inward/", views.inward, name="inward"),
    path("outward/", views.outward, name="outward"),
    path("new/", views.compose, name="compose"),
    path("<int:letter_id>/", views.detail, name="detail"),
    path("<int:letter_id>/forward/", views.forward, name="forward"),
    path("<int:letter_id>/close/", views.close, name="close"),
    path("<int:letter_id>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
