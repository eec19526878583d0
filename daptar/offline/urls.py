from django.urls import path

from daptar.offline import views

app_name = "offline"
urlpatterns = [
    path("sw.js", views.worker, name="worker"),
]
