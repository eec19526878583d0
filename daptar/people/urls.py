from django.urls import path

from daptar.people import views

app_name = "people"
urlpatterns = [
    path("", views.directory, name="directory"),
]
