from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "daptar.dashboard"
    verbose_name = _("Dynamism")
    nav: list[tuple[str, object]] = [("dashboard:home", _("Dynamism"))]
