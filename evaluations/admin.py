from django.contrib import admin

from .models import AuditEvent, Evaluation, LineScore, Period, PeriodChange, Transition


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ("year", "name", "standard", "score_step", "self_deadline", "county_deadline", "city_deadline")
    # Periods are opened and changed through the 评估期管理 pages (services keep the freeze rule).
    readonly_fields = [f.name for f in Period._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ("period", "community", "state", "self_total", "county_total", "city_total", "star")
    list_filter = ("period", "state")
    search_fields = ("community__name",)
    # States and scores change only through the workflow services.
    readonly_fields = [f.name for f in Evaluation._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LineScore)
class LineScoreAdmin(ReadOnlyAdmin):
    list_display = ("evaluation", "line_id", "stage", "score", "updated_by", "updated_at")
    list_filter = ("stage",)


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdmin):
    list_display = ("evaluation", "action", "from_state", "to_state", "user", "at")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("evaluation", "kind", "line_id", "stage", "field", "user", "at")
    list_filter = ("kind",)


@admin.register(PeriodChange)
class PeriodChangeAdmin(ReadOnlyAdmin):
    list_display = ("period", "action", "user", "at")
