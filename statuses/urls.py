from django.urls import path

from . import views

app_name = "statuses"

urlpatterns = [
    path("home", views.home, name="home"),
]
