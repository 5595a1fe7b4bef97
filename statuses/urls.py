from django.urls import path, re_path

from . import tag_views, views

app_name = "statuses"

# Mastodon's paths, so links from other servers work. `acct` is `username` for a local
# account, `username@domain` for a remote one.
ACCT = r"@(?P<acct>[\w.@-]+)"

urlpatterns = [
    path("home", views.home, name="home"),
    path("public/local", views.local, name="local"),
    path("public", views.federated, name="federated"),
    path("tags/<str:name>", views.tag, name="tag"),
    path("tags/<str:name>/follow", tag_views.follow, name="tag_follow"),
    path("tags/<str:name>/unfollow", tag_views.unfollow, name="tag_unfollow"),
    path("settings/followed_tags", tag_views.followed_tags, name="followed_tags"),
    path("settings/featured_tags", tag_views.featured_tags, name="featured_tags"),
    path(
        "settings/featured_tags/<int:featured_tag_id>/remove", tag_views.featured_tag_remove,
        name="featured_tag_remove",
    ),
    path("search", views.search, name="search"),
    path("notifications", views.notifications, name="notifications"),
    path("bookmarks", views.bookmarks, name="bookmarks"),
    path("favourites", views.favourites, name="favourites"),
    path("compose", views.compose, name="compose"),
    re_path(rf"^{ACCT}$", views.profile, name="profile"),
    re_path(rf"^{ACCT}/with_replies$", views.profile_replies, name="profile_replies"),
    re_path(rf"^{ACCT}/media$", views.profile_media, name="profile_media"),
    re_path(rf"^{ACCT}/tagged/(?P<tag_name>\w+)$", views.profile_tagged, name="profile_tagged"),
    re_path(rf"^{ACCT}/(?P<status_id>[0-9]+)$", views.status, name="status"),
    re_path(rf"^{ACCT}/(?P<status_id>[0-9]+)/history$", views.status_history, name="status_history"),
    path("statuses/<int:status_id>/reblog", views.reblog, name="reblog"),
    path("statuses/<int:status_id>/unreblog", views.unreblog, name="unreblog"),
    path("statuses/<int:status_id>/favourite", views.favourite, name="favourite"),
    path("statuses/<int:status_id>/unfavourite", views.unfavourite, name="unfavourite"),
    path("statuses/<int:status_id>/bookmark", views.bookmark, name="bookmark"),
    path("statuses/<int:status_id>/unbookmark", views.unbookmark, name="unbookmark"),
    path("statuses/<int:status_id>/pin", views.pin, name="pin"),
    path("statuses/<int:status_id>/unpin", views.unpin, name="unpin"),
    path("statuses/<int:status_id>/delete", views.delete, name="delete"),
    path("statuses/<int:status_id>/edit", views.edit, name="edit"),
]
