from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "daptar.returns"
    verbose_name = _("Information returns")
    nav: list[tuple[str, object]] = [("returns:todo", _("Returns"))]
    # Returns the acting unit still has to send.
    badge = "daptar.returns.queries.to_do_count"
