from django.urls import path

from . import views, views_evidence, views_history

app_name = "evaluations"
urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("bulk/", views.bulk, name="bulk"),
    path("periods/", views.periods, name="periods"),
    path("periods/new/", views.period_create, name="period_create"),
    path("periods/<int:pk>/", views.period_edit, name="period_edit"),
    path("periods/<int:pk>/<str:action>/", views.period_action, name="period_action"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/line/<str:line_id>/<str:stage>/", views.save_line, name="save_line"),
    path("<int:pk>/facts/<str:name>/", views.save_fact, name="save_fact"),
    path("<int:pk>/innovation-text/", views.save_innovation, name="save_innovation"),
    path("<int:pk>/transition/<str:action>/", views.do_transition, name="transition"),
    path("<int:pk>/returns/<str:line_id>/reply/", views.answer_return, name="answer_return"),
    path("<int:pk>/adopt/", views.adopt, name="adopt"),
    path("<int:pk>/evidence/<str:line_id>/", views_evidence.evidence, name="evidence"),
    path("<int:pk>/evidence/<str:line_id>/upload/", views_evidence.evidence_upload, name="evidence_upload"),
    path(
        "<int:pk>/evidence/file/<int:revision_id>/download/",
        views_evidence.evidence_download,
        name="evidence_download",
    ),
    path("<int:pk>/evidence/item/<int:evidence_id>/lines/", views_evidence.evidence_lines, name="evidence_lines"),
    path("<int:pk>/evidence/item/<int:evidence_id>/delete/", views_evidence.evidence_delete, name="evidence_delete"),
    path("<int:pk>/innovation/", views_evidence.innovation, name="innovation"),
    path("<int:pk>/compare/", views_history.compare, name="compare"),
    path("<int:pk>/history/", views_history.history, name="history"),
]
