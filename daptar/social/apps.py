from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "daptar.social"
    verbose_name = _("Social media")
    nav = [("social:channels", _("Social media"))]
