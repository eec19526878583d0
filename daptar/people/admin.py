from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from daptar.lib.adminscope import ScopedForeignKeys
from daptar.lib.requests import admin_user
from daptar.people import actions
from daptar.people.models import Person, Post, Term


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["rank", "slug", "name_bn", "name_en", "desk_role", "is_office_bearer"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    has_add_permission = has_delete_permission = has_change_permission  # type: ignore[assignment]


@admin.register(Person)
class PersonAdmin(ScopedForeignKeys, admin.ModelAdmin):
    list_display = ["name_bn", "name_en", "phone", "unit"]
    search_fields = ["name_bn", "name_en", "phone"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return Person.objects.visible_to(admin_user(request))

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            actions.update_person(obj, by=admin_user(request), **fields)
        else:
            created = actions.register_person(
                unit=obj.unit,
                name_bn=obj.name_bn,
                name_en=obj.name_en,
                phone=obj.phone,
                email=obj.email,
                by=admin_user(request),
            )
            obj.pk = created.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Term)
class TermAdmin(ScopedForeignKeys, admin.ModelAdmin):
    list_display = ["person", "post", "unit", "started_on", "ended_on"]
    list_filter = ["post"]
    autocomplete_fields = ["person", "unit"]
    list_select_related = ["person", "post", "unit"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Term]:
        return Term.objects.visible_to(admin_user(request))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # appoint() starts an open term and end_term() ends it: one date per form.
        return ["person", "unit", "post", "started_on"] if obj else ["ended_on"]

    def save_model(self, request: HttpRequest, obj: Term, form: Any, change: bool) -> None:
        if change:
            actions.end_term(obj, by=admin_user(request), ended_on=obj.ended_on)
        else:
            created = actions.appoint(
                obj.person,
                unit=obj.unit,
                post=obj.post,
                by=admin_user(request),
                started_on=obj.started_on,
            )
            obj.pk = created.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
