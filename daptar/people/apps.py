from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_search_index(using: str = "default", **kwargs: Any) -> None:
    from daptar.people.search import ensure_index

    ensure_index(using)


class PeopleConfig(AppConfig):
    name = "daptar.people"
    verbose_name = _("People")

    def ready(self) -> None:
        post_migrate.connect(_ensure_search_index, sender=self)
