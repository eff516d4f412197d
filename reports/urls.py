from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("forms/batch/", views.form_batch, name="form_batch"),
    path("form/<int:pk>/print/", views.form_print, name="form_print"),
    path("form/<int:pk>/<str:fmt>/", views.form_download, name="form_download"),
    path("export/<slug:identifier>.<str:fmt>", views.export, name="export"),
    path("ledger-stats/", views.ledger_stats_page, name="ledger_stats"),
    path("dashboard/<slug:slug>/", views.dashboard, name="dashboard"),
]
