from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "daptar.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from daptar.accounts import receivers

        user_logged_in.connect(receivers.on_login, dispatch_uid="daptar-sign-in")
        user_logged_out.connect(receivers.on_logout, dispatch_uid="daptar-sign-out")
