from django.urls import path

from daptar.units import views

app_name = "units"
urlpatterns = [
    path("", views.home, name="home"),
    path("units/<int:unit_id>/", views.detail, name="detail"),
    path("units/search/", views.search, name="search"),
]
