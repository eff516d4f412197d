"""Evidence, compare and history URLs, included by evaluations/urls.py (namespace "evaluations")."""

from django.urls import path

from . import views_evidence, views_history

# No app_name here: the including module owns the "evaluations" namespace.
urlpatterns = [
    path("<int:pk>/evidence/<str:line_id>/", views_evidence.evidence, name="evidence"),
    path("<int:pk>/evidence/<str:line_id>/upload/", views_evidence.evidence_upload, name="evidence_upload"),
    path(
        "<int:pk>/evidence/file/<int:revision_id>/download/",
        views_evidence.evidence_download,
        name="evidence_download",
    ),
    path("<int:pk>/evidence/item/<int:evidence_id>/delete/", views_evidence.evidence_delete, name="evidence_delete"),
    path("<int:pk>/innovation/", views_evidence.innovation, name="innovation"),
    path("<int:pk>/compare/", views_history.compare, name="compare"),
    path("<int:pk>/history/", views_history.history, name="history"),
]
