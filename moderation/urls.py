from django.urls import path, re_path

from . import views

app_name = "moderation"

# `acct` is `username` for a local account, `username@domain` for a remote one.
ACCT = r"@(?P<acct>[\w.@-]+)"

urlpatterns = [
    path("about", views.about, name="about"),
    path("settings/strikes", views.strikes, name="strikes"),
    path(
        "announcements/<int:announcement_id>/dismiss", views.announcement_dismiss,
        name="announcement-dismiss",
    ),
    path("settings/strikes/<int:strike_id>/appeal", views.appeal, name="appeal"),
    re_path(rf"^{ACCT}/report$", views.report, name="report"),
]
