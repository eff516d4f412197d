from django.urls import path

from . import views

app_name = "announcements"
urlpatterns = [
    path("notices/", views.index, name="index"),
    path("notices/start/<int:period_pk>/", views.start, name="start"),
    path("notices/<int:pk>/", views.detail, name="detail"),
    path("notices/<int:pk>/resume/", views.resume_start, name="resume_start"),
    path("notices/<int:pk>/objections/new/", views.objection_create, name="objection_create"),
    path("objections/<int:pk>/", views.case, name="case"),
    path("objections/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("objections/<int:pk>/note/", views.case_note, name="case_note"),
    path("objections/<int:pk>/file/", views.case_file, name="case_file"),
    path("objections/<int:pk>/file/<int:file_pk>/", views.case_file_download, name="case_file_download"),
    path("objections/<int:pk>/decide/", views.case_decide, name="case_decide"),
    # Public (no account): the notice, its document, and the objection form.
    path("gongshi/", views.public_index, name="public_index"),
    path("gongshi/<int:pk>/", views.public, name="public"),
    path("gongshi/<int:pk>/document.<str:fmt>", views.document, name="document"),
]
