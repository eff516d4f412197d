from django.urls import path

from . import views

app_name = "inbox"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/open/", views.open_message, name="open"),
    path("read/", views.read, name="read"),
]
