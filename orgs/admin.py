"""Django admin for the organisation master data, usable by the city administrator.

Units are edited here (links from the orgs:units page); accounts are managed on the app's own pages
(orgs:users) so every change goes through orgs.services.accounts and is audited; the admin shows them
read-only, as it does the audit logs.
"""

from django.contrib import admin

from .models import AccessLog, OrgEvent, Unit, User


class CityAdminPermissions:
    """The city administrator's role grants the admin permissions; no Django permission rows needed."""

    def _allowed(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or getattr(user, "is_city_admin", False))

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
class UnitAdmin(CityAdminPermissions, admin.ModelAdmin):
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
