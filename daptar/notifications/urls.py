from django.urls import path

from daptar.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notices, name="list"),
    path("<int:notification_id>/open/", views.open_notice, name="open"),
]
