from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfflineConfig(AppConfig):
    """Work that survives a dead line: the field pages' service worker and sent-once keys."""

    name = "daptar.offline"
    verbose_name = _("Offline work")
