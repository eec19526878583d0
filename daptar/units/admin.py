from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from daptar.lib.adminscope import ScopedForeignKeys
from daptar.lib.requests import admin_user
from daptar.units import actions
from daptar.units.models import Level, Unit, UnitQuerySet


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ["rank", "slug", "name_bn", "name_en"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    has_add_permission = has_delete_permission = has_change_permission  # type: ignore[assignment]


@admin.register(Unit)
class UnitAdmin(ScopedForeignKeys, admin.ModelAdmin):
    """The database team's view of the tree, scoped like everything else."""

    list_display = ["name_bn", "name_en", "code", "level", "kind", "is_active"]
    list_filter = ["level", "kind", "is_active"]
    search_fields = ["name_bn", "name_en", "code"]
    autocomplete_fields = ["parent"]
    list_select_related = ["level"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> UnitQuerySet:
        return Unit.objects.visible_to(admin_user(request))

    # What save_model's actions write. The form offers nothing else: any other field
    # would be accepted and then silently dropped. The tree's shape changes only
    # through the create and move actions, never a form field.
    created_fields = ["parent", "level", "code", "name_bn", "name_en", "kind"]
    renamed_fields = ["name_bn", "name_en"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        saved = self.renamed_fields if obj else self.created_fields
        names = [f.name for f in Unit._meta.concrete_fields if not f.primary_key]
        return [name for name in names if name not in saved]

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        if change:
            actions.rename_unit(
                obj, name_bn=obj.name_bn, name_en=obj.name_en, by=admin_user(request)
            )
        else:
            created = actions.create_unit(
                parent=obj.parent,
                level=obj.level,
                code=obj.code,
                name_bn=obj.name_bn,
                name_en=obj.name_en,
                kind=obj.kind,
                by=admin_user(request),
            )
            obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # units are closed, never deleted: their history refers to them
