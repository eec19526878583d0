from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "daptar.letters"
    verbose_name = _("Correspondence")
    nav: list[tuple[str, object]] = [("letters:pending", _("Letters"))]
    # The badge: letters pending with the acting office.
    badge = "daptar.letters.queries.pending_count"
