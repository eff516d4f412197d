from django.urls import path

from . import views, views_pickers

app_name = "orgs"
urlpatterns = [
    path("", views.units, name="units"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/retire/", views.unit_retire, name="unit_retire"),
    path("units/<int:pk>/restore/", views.unit_restore, name="unit_restore"),
    path("units/options/", views_pickers.unit_options, name="unit_options"),
    path("import/", views.import_units, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("communities/options/", views_pickers.community_options, name="community_options"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
]
