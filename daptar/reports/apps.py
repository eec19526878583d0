from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "daptar.reports"
    verbose_name = _("Illustrated reports")
    nav: list[tuple[str, object]] = []
