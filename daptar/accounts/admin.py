from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from daptar.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Logins are an operator's business: only superusers see this page."""

    fieldsets = (*BaseUserAdmin.fieldsets, ("Daptar", {"fields": ["person"]}))  # type: ignore[misc]
    raw_id_fields = ["person"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    has_change_permission = has_add_permission = has_delete_permission = has_view_permission  # type: ignore[assignment]
