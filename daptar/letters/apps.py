from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "daptar.letters"
    verbose_name = _("Correspondence")
    nav: list[tuple[str, object]] = []
