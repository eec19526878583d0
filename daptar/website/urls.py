from django.urls import path

from daptar.website import views

app_name = "website"
urlpatterns = [
    path("", views.home, name="home"),
    path("robots.txt", views.robots, name="robots"),
]
