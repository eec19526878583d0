"""Admin forms offer only what the user may see."""

from typing import Any

from django.db.models import ForeignKey
from django.forms import ModelChoiceField
from django.http import HttpRequest

from daptar.lib.requests import admin_user


class ScopedForeignKeys:
    """A ModelAdmin mixin: every foreign key to a model with `visible_to` is limited by it.

    With `autocomplete_fields` the lookups go through the target admin's scoped
    queryset too, so neither the choices nor a re-rendered form names anything
    outside the user's subtrees (a raw id widget would print any row's name).
    """

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        manager = db_field.related_model._default_manager
        if hasattr(manager, "visible_to"):
            kwargs["queryset"] = manager.visible_to(admin_user(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
