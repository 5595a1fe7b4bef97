from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from . import views

app_name = "accounts"

# `acct` is `username` for a local account, `username@domain` for a remote one.
ACCT = r"@(?P<acct>[\w.@-]+)"

urlpatterns = [
    path("auth/sign_up", views.signup, name="signup"),
    path("auth/sign_up/done", views.signup_done, name="signup_done"),
    path("auth/sign_in", views.LoginView.as_view(), name="login"),
    path("auth/sign_out", auth_views.LogoutView.as_view(), name="logout"),
    path("auth/confirm/resend", views.confirm_resend, name="confirm_resend"),
    path("auth/confirm/<str:token>", views.confirm_email, name="confirm_email"),
    path("auth/password/reset", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "auth/password/reset/done",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "auth/password/reset/complete",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html",
        ),
        name="password_reset_complete",
    ),
    path(
        "auth/password/reset/<uidb64>/<token>", views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("settings/password", views.PasswordChangeView.as_view(), name="password_change"),
    path("settings/profile", views.profile_edit, name="profile_edit"),
    path("settings/preferences", views.preferences, name="preferences"),
    path("settings/follow_requests", views.follow_requests, name="follow_requests"),
    path(
        "settings/follow_requests/<int:request_id>/accept", views.follow_request_accept,
        name="follow_request_accept",
    ),
    path(
        "settings/follow_requests/<int:request_id>/reject", views.follow_request_reject,
        name="follow_request_reject",
    ),
    path("settings/relationships", views.relationships, name="relationships"),
    path("settings/domain_blocks", views.domain_block_add, name="domain_block_add"),
    path("settings/domain_blocks/remove", views.domain_block_remove, name="domain_block_remove"),
    path("settings/aliases", views.aliases, name="aliases"),
    path("settings/aliases/<int:alias_id>/remove", views.alias_remove, name="alias_remove"),
    path("settings/migration", views.migration, name="migration"),
    re_path(rf"^{ACCT}/follow$", views.follow, name="follow"),
    re_path(rf"^{ACCT}/unfollow$", views.unfollow, name="unfollow"),
    re_path(rf"^{ACCT}/block$", views.block, name="block"),
    re_path(rf"^{ACCT}/unblock$", views.unblock, name="unblock"),
    re_path(rf"^{ACCT}/mute$", views.mute, name="mute"),
    re_path(rf"^{ACCT}/unmute$", views.unmute, name="unmute"),
    re_path(rf"^{ACCT}/remove_follower$", views.remove_follower, name="remove_follower"),
    re_path(rf"^{ACCT}/followers$", views.followers, name="followers"),
    re_path(rf"^{ACCT}/following$", views.following, name="following"),
]
