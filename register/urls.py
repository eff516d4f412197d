from django.urls import path

from . import views

app_name = "register"
urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.export, name="export"),
    path("award/<int:pk>/", views.award, name="award"),
    path("award/<int:pk>/change/", views.award_change, name="award_change"),
    path("award/document/<int:pk>/", views.award_document, name="award_document"),
    path("community/<int:pk>/", views.community, name="community"),
    path("national/", views.national, name="national"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<int:pk>/", views.appeal, name="appeal"),
    path("appeals/<int:pk>/<str:step>/", views.appeal_decide, name="appeal_decide"),
    path("appeals/file/<int:pk>/", views.appeal_file, name="appeal_file"),
    path("sheet/<int:pk>/appeal/", views.appeal_new, name="appeal_new"),
    path("sheet/<int:pk>/panel/", views.panel, name="panel"),
    path("sheet/<int:pk>/panel/adopt/", views.panel_adopt, name="panel_adopt"),
    path("panel/", views.panel_mine, name="panel_mine"),
    path("panel/<int:pk>/", views.panel_rate, name="panel_rate"),
    path("periods/<int:pk>/settings/", views.rules, name="rules"),
]
