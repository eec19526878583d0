from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "daptar.reports"
    verbose_name = _("Illustrated reports")
    nav = [("reports:list", _("Reports"))]
    # Reports submitted to the acting unit's office and waiting for its review.
    badge = "daptar.reports.queries.waiting_count"
