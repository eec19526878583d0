from django.contrib.auth.views import LogoutView
from django.urls import path

from daptar.accounts import signin_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.Login.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("password/", views.password, name="password"),
    path("unit/", views.switch_unit, name="switch_unit"),
    path("token/", views.token, name="token"),
    path("profile/", signin_views.profile, name="profile"),
    path("profile/sign-out/", signin_views.sign_out, name="sign_out"),
    path("second-factor/", signin_views.second_factor, name="second_factor"),
    path("two-factor/", signin_views.enrol, name="enrol"),
    path("two-factor/authenticator/", signin_views.totp_enrol, name="totp_enrol"),
    path("two-factor/sms/", signin_views.sms_enrol, name="sms_enrol"),
    path("two-factor/recovery-codes/", signin_views.recovery_codes, name="recovery_codes"),
    path("two-factor/remove/", signin_views.remove_device, name="remove_device"),
    path("phone/", signin_views.phone_sign_in, name="phone_sign_in"),
    path("phone/code/", signin_views.phone_code, name="phone_code"),
    path("phone/verify/", signin_views.phone_verify, name="phone_verify"),
]
