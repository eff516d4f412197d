from django.urls import path

from . import views

app_name = "verification"

urlpatterns = [
    path("", views.index, name="index"),
    path("help/", views.help_page, name="help"),
    path("communities/<int:community_id>/<int:year>/", views.community, name="community"),
    path("communities/<int:community_id>/<int:year>/draw/", views.draw, name="draw"),
    path("communities/<int:community_id>/<int:year>/report.<str:fmt>", views.community_report, name="report"),
    path("counties/<int:county_id>/<int:year>/report.<str:fmt>", views.county_report, name="county_report"),
    path("draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("checks/<int:pk>/", views.check, name="check"),
    path("checks/<int:pk>/outcome/", views.check_outcome, name="check_outcome"),
    path("checks/<int:pk>/photo/", views.photo, name="photo"),
    path("references/", views.references, name="references"),
    path("references/sources/<int:pk>/", views.source_edit, name="source_edit"),
    path("references/communities/<int:community_id>/", views.reconcile, name="reconcile"),
    path("references/communities/<int:community_id>/xlsx", views.reconcile_xlsx, name="reconcile_xlsx"),
    path("references/city/", views.reconcile_city, name="reconcile_city"),
]
