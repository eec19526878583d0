from django.contrib.auth.views import LogoutView
from django.urls import path

from daptar.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.Login.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("password/", views.password, name="password"),
    path("unit/", views.switch_unit, name="switch_unit"),
    path("token/", views.token, name="token"),
]
