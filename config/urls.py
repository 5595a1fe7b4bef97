from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from statuses import views as status_views

urlpatterns = [
    path("", status_views.landing, name="landing"),
    path("admin/", admin.site.urls),
    # ActivityPub, WebFinger, NodeInfo: before the others, which may match /users/… or /@….
    path("", include("federation.urls")),
    # The Mastodon client API (api/…) and its OAuth endpoints (oauth/…, .well-known/…).
    path("", include("config.api_urls")),
    path("", include("accounts.urls")),
    path("", include("moderation.urls")),
    path("", include("statuses.urls")),
    # Media from the local disk (the embedded default); production serves them from object
    # storage or the reverse proxy.
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
]
