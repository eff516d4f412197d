from django.urls import include, path

from . import views

app_name = "evaluations"
urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("bulk/", views.bulk, name="bulk"),
    path("periods/", views.periods, name="periods"),
    path("periods/new/", views.period_create, name="period_create"),
    path("periods/<int:pk>/", views.period_edit, name="period_edit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/line/<str:line_id>/<str:stage>/", views.save_line, name="save_line"),
    path("<int:pk>/facts/<str:name>/", views.save_fact, name="save_fact"),
    path("<int:pk>/innovation-text/", views.save_innovation, name="save_innovation"),
    path("<int:pk>/transition/<str:action>/", views.do_transition, name="transition"),
    path("", include("evaluations.urls_extra")),
]
