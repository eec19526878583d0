from django.urls import path

from daptar.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.district_map, name="map"),
    path("export.csv", views.export_csv, name="export_csv"),
]
