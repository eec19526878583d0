from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "daptar.register"
    verbose_name = _("Register")
    nav: list[tuple[str, object]] = [("register:home", _("Register"))]
