from django.urls import path

from . import views

app_name = "standards"
urlpatterns = [
    path("", views.current, name="current"),
    path("<str:version>/", views.detail, name="detail"),
]
