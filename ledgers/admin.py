from django.contrib import admin

from . import models


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "household", "sex", "birth_date"]
    search_fields = ["name", "id_number"]
    list_select_related = ["community", "household"]
    raw_id_fields = ["household"]


@admin.register(models.Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["code", "head_name", "community"]
    search_fields = ["code", "head_name"]


@admin.register(models.Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "community"]
    search_fields = ["name", "credit_code"]


@admin.register(models.FactSnapshot)
class FactSnapshotAdmin(admin.ModelAdmin):
    list_display = ["evaluation", "reason", "taken_by", "taken_at"]
    readonly_fields = ["evaluation", "reason", "values", "records", "taken_by", "taken_at"]
