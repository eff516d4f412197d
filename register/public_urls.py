"""Public, read-only pages (no login): the star register."""

from django.urls import path

from . import views

app_name = "register_public"
urlpatterns = [
    path("", views.public_register, name="index"),
]
