from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("confirm/<str:token>", views.confirm_email, name="confirm_email"),
]
