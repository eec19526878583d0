from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "daptar.social"
    verbose_name = _("Social media")
    nav = [("social:channels", _("Social media"))]

    def ready(self) -> None:
        from daptar.reports import signals
        from daptar.social import receivers

        signals.published.connect(receivers.queue_posts, dispatch_uid="social.queue_posts")
        signals.withdrawn.connect(receivers.withdraw_posts, dispatch_uid="social.withdraw_posts")
