from django.urls import path

from . import views

app_name = "ledgers"
urlpatterns = [
    path("", views.index, name="index"),
    path("persons/", views.person_list, name="persons"),
    path("persons/new/", views.person_form, name="person_create"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", views.person_form, name="person_edit"),
    path("persons/<int:pk>/unmask/", views.person_unmask, name="person_unmask"),
    path("persons/<int:pk>/void/", views.person_void, name="person_void"),
    path("persons/<int:pk>/restore/", views.person_restore, name="person_restore"),
    path("visits/<int:pk>/photo/", views.visit_photo, name="visit_photo"),
    path("households/", views.household_list, name="households"),
    path("households/new/", views.household_form, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_form, name="household_edit"),
    path("employers/", views.employer_list, name="employers"),
    path("employers/new/", views.employer_form, name="employer_create"),
    path("employers/<int:pk>/", views.employer_detail, name="employer_detail"),
    path("employers/<int:pk>/edit/", views.employer_form, name="employer_edit"),
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/new/", views.complaint_form, name="complaint_create"),
    path("complaints/<int:pk>/edit/", views.complaint_form, name="complaint_edit"),
    path("records/<str:kind>/add/<int:parent_id>/", views.record_form, name="record_create"),
    path("records/<str:kind>/<int:pk>/edit/", views.record_form, name="record_edit"),
    path("duplicates/", views.duplicate_list, name="duplicates"),
    path("import/", views.import_page, name="import"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("import/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
    path("import/template/<str:kind>/", views.import_template, name="import_template"),
    path("export/<str:kind>/", views.export, name="export"),
    path("facts/<int:pk>/", views.evaluation_facts, name="evaluation_facts"),
    path("facts/<int:pk>/refresh/", views.refresh_facts, name="refresh_facts"),
    path("facts/<int:pk>/<str:name>/", views.fact_records, name="fact_records"),
]
