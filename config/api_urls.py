"""Mastodon's client API and its OAuth endpoints, mounted at the root (see config/urls.py)."""

from django.urls import path, re_path

from accounts.api import apps, domain_blocks, lists, oauth, schema
from accounts.api import views as accounts
from accounts.api.misc import custom_emojis, default_image, not_found
from moderation.api import announcements, reports
from statuses.api import (
    conversations,
    discovery,
    filters,
    instance,
    notifications,
    polls,
    scheduled,
    tags,
    timelines,
)
from statuses.api import views as statuses
from statuses.streaming import views as streaming

app_name = "api"

account = "api/v1/accounts/<str:account_id>"
status = "api/v1/statuses/<str:status_id>"

routes = [
    # OAuth 2 (django-oauth-toolkit behind Mastodon's paths).
    path(".well-known/oauth-authorization-server", oauth.authorization_server_metadata),
    path("oauth/authorize", oauth.AuthorizeView.as_view(), name="oauth-authorize"),
    path("oauth/token", oauth.MastodonTokenView.as_view(), name="oauth-token"),
    path("oauth/revoke", oauth.MastodonRevokeView.as_view(), name="oauth-revoke"),
    path("api/openapi.json", schema.openapi_view),
    path("api/v1/apps", apps.apps_create),
    path("api/v1/apps/verify_credentials", apps.apps_verify_credentials),
    # Accounts.
    path("api/v1/accounts", accounts.register),
    path("api/v1/accounts/verify_credentials", accounts.verify_credentials),
    path("api/v1/accounts/update_credentials", accounts.update_credentials),
    path("api/v1/accounts/lookup", accounts.account_lookup),
    path("api/v1/accounts/relationships", accounts.account_relationships),
    path("api/v1/accounts/familiar_followers", accounts.account_familiar_followers),
    path("api/v1/accounts/search", discovery.accounts_search),
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
    path(f"{account}/statuses", timelines.account_statuses),
    path(f"{account}/lists", lists.account_lists),
    path(f"{account}/featured_tags", tags.account_featured_tags),
    # Lists and markers.
    path("api/v1/lists", lists.lists),
    path("api/v1/lists/<str:list_id>", lists.list_detail),
    path("api/v1/lists/<str:list_id>/accounts", lists.list_accounts),
    path("api/v1/timelines/list/<str:list_id>", timelines.timeline_list),
    path("api/v1/markers", lists.markers),
    # Statuses.
    path("api/v1/statuses", statuses.status_create_or_many),
    path(status, statuses.status_detail),
    path(f"{status}/history", statuses.status_history),
    path(f"{status}/source", statuses.status_source),
    path(f"{status}/context", statuses.status_context_view),
    path(f"{status}/reblog", statuses.status_reblog),
    path(f"{status}/unreblog", statuses.status_unreblog),
    path(f"{status}/favourite", statuses.status_favourite),
    path(f"{status}/unfavourite", statuses.status_unfavourite),
    path(f"{status}/bookmark", statuses.status_bookmark),
    path(f"{status}/unbookmark", statuses.status_unbookmark),
    path(f"{status}/pin", statuses.status_pin),
    path(f"{status}/unpin", statuses.status_unpin),
    path(f"{status}/mute", statuses.status_mute),
    path(f"{status}/unmute", statuses.status_unmute),
    path(f"{status}/reblogged_by", statuses.status_reblogged_by),
    path(f"{status}/favourited_by", statuses.status_favourited_by),
    path("api/v1/conversations", conversations.conversations),
    path("api/v1/conversations/<str:conversation_id>", conversations.conversation_detail),
    path("api/v1/conversations/<str:conversation_id>/read", conversations.conversation_mark_read),
    path("api/v1/scheduled_statuses", scheduled.scheduled_statuses),
    path("api/v1/scheduled_statuses/<str:scheduled_id>", scheduled.scheduled_status_detail),
    path("api/v1/polls/<str:poll_id>", polls.poll_detail),
    path("api/v1/polls/<str:poll_id>/votes", polls.poll_votes),
    path("api/v1/media", statuses.media_create),
    path("api/v2/media", statuses.media_create),
    path("api/v1/media/<str:media_id>", statuses.media_detail),
    # Timelines and lists of statuses.
    path("api/v1/timelines/home", timelines.timeline_home_view),
    path("api/v1/timelines/public", timelines.timeline_public),
    path("api/v1/timelines/tag/<str:hashtag>", timelines.timeline_tag),
    path("api/v1/favourites", timelines.favourites),
    path("api/v1/bookmarks", timelines.bookmarks),
    # Notifications.
    path("api/v1/notifications", notifications.notifications),
    path("api/v1/notifications/clear", notifications.notifications_clear_view),
    path("api/v1/notifications/unread_count", notifications.notifications_unread),
    path("api/v1/notifications/<str:notification_id>", notifications.notification_detail),
    path("api/v1/notifications/<str:notification_id>/dismiss", notifications.notification_dismiss_view),
    path("api/v2/notifications", notifications.notifications_v2),
    path("api/v2/notifications/unread_count", notifications.notifications_unread),
    path("api/v2/notifications/<str:group_key>", notifications.notification_group),
    path("api/v2/notifications/<str:group_key>/accounts", notifications.notification_group_accounts),
    path("api/v2/notifications/<str:group_key>/dismiss", notifications.notification_group_dismiss),
    # Streaming (Server-Sent Events).
    path("api/v1/streaming", streaming.streaming_root),
    path("api/v1/streaming/health", streaming.streaming_health),
    path("api/v1/streaming/<path:name>", streaming.streaming_stream),
    # The server.
    path("api/v1/instance", instance.instance_v1),
    path("api/v2/instance", instance.instance_v2),
    path("api/v1/instance/rules", instance.instance_rules),
    path("api/v1/instance/peers", discovery.instance_peers),
    path("api/v1/instance/activity", discovery.instance_activity),
    # Filters.
    path("api/v1/filters", filters.filters_v1),
    path("api/v2/filters", filters.filters),
    path("api/v2/filters/keywords/<str:keyword_id>", filters.filter_keyword_detail),
    path("api/v2/filters/statuses/<str:filter_status_id>", filters.filter_status_detail),
    path("api/v2/filters/<str:filter_id>", filters.filter_detail),
    path("api/v2/filters/<str:filter_id>/keywords", filters.filter_keywords),
    path("api/v2/filters/<str:filter_id>/statuses", filters.filter_statuses_view),
    # Search, hashtags, trends, suggestions.
    path("api/v2/search", discovery.search_v2),
    path("api/v1/tags/<str:name>", discovery.tag_detail),
    path("api/v1/tags/<str:name>/follow", tags.tag_follow_view),
    path("api/v1/tags/<str:name>/unfollow", tags.tag_unfollow_view),
    path("api/v1/followed_tags", tags.followed_tags),
    path("api/v1/featured_tags", tags.featured_tags),
    path("api/v1/featured_tags/suggestions", tags.featured_tags_suggestions),
    path("api/v1/featured_tags/<str:featured_tag_id>", tags.featured_tag_detail),
    path("api/v1/trends", discovery.trends_tags),
    path("api/v1/trends/tags", discovery.trends_tags),
    path("api/v1/trends/statuses", discovery.trends_statuses),
    path("api/v1/trends/links", discovery.trends_links),
    path("api/v2/suggestions", discovery.suggestions),
    path("api/v1/follow_requests", accounts.follow_requests),
    path("api/v1/follow_requests/<str:account_id>/authorize", accounts.follow_request_authorize),
    path("api/v1/follow_requests/<str:account_id>/reject", accounts.follow_request_reject),
    path("api/v1/blocks", accounts.blocks),
    path("api/v1/domain_blocks", domain_blocks.domain_blocks),
    path("api/v1/mutes", accounts.mutes),
    path("api/v1/preferences", accounts.preferences),
    path("api/v1/custom_emojis", custom_emojis),
    path("api/v1/reports", reports.reports),
    path("api/v1/announcements", announcements.announcements),
    path("api/v1/announcements/<str:announcement_id>/dismiss", announcements.announcement_dismiss_view),
    path(
        "api/v1/announcements/<str:announcement_id>/reactions/<str:name>",
        announcements.announcement_reaction,
    ),
    # Mastodon's placeholders for people without an avatar or header.
    path("avatars/original/missing.png", default_image, {"kind": "avatar"}),
    path("headers/original/missing.png", default_image, {"kind": "header"}),
]

urlpatterns = [
    *routes,
    # interop(Mastodon.py): clients call some endpoints with a trailing slash
    # (/api/v2/instance/), which Mastodon accepts; so do we, on every API path.
    *[
        path(f"{route.pattern}/", route.callback, route.default_args)
        for route in routes
        if str(route.pattern).startswith("api/")
    ],
    # Anything else under /api/ is a JSON 404, as Mastodon answers.
    re_path(r"^api/", not_found),
]
