"""Django admin for engineers (superusers) only: not linked from the product.

The city administrator manages units (orgs.services.units) and accounts (orgs.services.accounts) on the
product's own audited pages. Here units are read-only too, so the unit code and the tree cannot be
changed around the model's validation and the audit trail.
"""

from django.contrib import admin

from .models import AccessLog, OrgEvent, Unit, User


class CityAdminPermissions:
    """Superusers only (engineers); a city administrator is not staff and never reaches the admin."""

    def _allowed(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_superuser

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return False  # units are deactivated, never deleted: evaluations point at them


class ReadOnly(CityAdminPermissions):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    ordering = ["code"]

    def get_readonly_fields(self, request, obj=None):
        # Moving a unit would leave its descendants' denormalised county/street stale.
        return ["level", "parent"] if obj is not None else []


@admin.register(User)
class UserAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["username", "display_name", "role", "unit", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "display_name"]
    exclude = ["password", "user_permissions", "groups"]


@admin.register(OrgEvent)
class OrgEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target_user"]
    list_filter = ["action"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["at", "user", "kind", "target"]
    list_filter = ["kind"]
