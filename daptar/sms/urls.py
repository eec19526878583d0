from django.urls import path

from daptar.sms import views

app_name = "sms"
urlpatterns = [
    path("inbound/<slug:gateway>/", views.inbound, name="inbound"),
    path("reports/<slug:gateway>/", views.delivery_report, name="report"),
]
