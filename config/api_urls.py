"""Mastodon's client API and its OAuth endpoints, mounted at the root (see config/urls.py)."""

from django.urls import path, re_path

from accounts.api import apps, oauth
from accounts.api import views as accounts
from accounts.api.misc import custom_emojis, default_image, not_found

app_name = "api"

account = "api/v1/accounts/<str:account_id>"

urlpatterns = [
    # OAuth 2 (django-oauth-toolkit behind Mastodon's paths).
    path(".well-known/oauth-authorization-server", oauth.authorization_server_metadata),
    path("oauth/authorize", oauth.AuthorizeView.as_view(), name="oauth-authorize"),
    path("oauth/token", oauth.MastodonTokenView.as_view(), name="oauth-token"),
    path("oauth/revoke", oauth.MastodonRevokeView.as_view(), name="oauth-revoke"),
    path("api/v1/apps", apps.apps_create),
    path("api/v1/apps/verify_credentials", apps.apps_verify_credentials),
    # Accounts.
    path("api/v1/accounts", accounts.register),
    path("api/v1/accounts/verify_credentials", accounts.verify_credentials),
    path("api/v1/accounts/update_credentials", accounts.update_credentials),
    path("api/v1/accounts/lookup", accounts.account_lookup),
    path("api/v1/accounts/relationships", accounts.account_relationships),
    path(account, accounts.account_detail),
    path(f"{account}/followers", accounts.account_followers),
    path(f"{account}/following", accounts.account_following),
    path(f"{account}/follow", accounts.account_follow),
    path(f"{account}/unfollow", accounts.account_unfollow),
    path(f"{account}/remove_from_followers", accounts.account_remove_from_followers),
    path(f"{account}/block", accounts.account_block),
    path(f"{account}/unblock", accounts.account_unblock),
    path(f"{account}/mute", accounts.account_mute),
    path(f"{account}/unmute", accounts.account_unmute),
    path("api/v1/follow_requests", accounts.follow_requests),
    path("api/v1/follow_requests/<str:account_id>/authorize", accounts.follow_request_authorize),
    path("api/v1/follow_requests/<str:account_id>/reject", accounts.follow_request_reject),
    path("api/v1/blocks", accounts.blocks),
    path("api/v1/mutes", accounts.mutes),
    path("api/v1/preferences", accounts.preferences),
    path("api/v1/custom_emojis", custom_emojis),
    # Mastodon's placeholders for people without an avatar or header.
    path("avatars/original/missing.png", default_image, {"kind": "avatar"}),
    path("headers/original/missing.png", default_image, {"kind": "header"}),
    # Anything else under /api/ is a JSON 404, as Mastodon answers.
    re_path(r"^api/", not_found),
]

