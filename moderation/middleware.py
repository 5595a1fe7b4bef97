from django.conf import settings
from django.http import HttpResponseForbidden, HttpResponseGone, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from .blocks import ip_is_denied
from .models import SelfDestruct
from .selectors import user_is_frozen

# After `manage.py self_destruct`, what still answers: peers verifying the signature of our
# Deletes fetch the actor's key, and find the actor through WebFinger (as Mastodon keeps them).
SELF_DESTRUCT_SERVED = {"federation:actor", "federation:instance_actor", "federation:webfinger"}


def _served_after_self_destruct(path: str) -> bool:
    if path.startswith(settings.STATIC_URL):
        return True
    try:
        return resolve(path).view_name in SELF_DESTRUCT_SERVED
    except Resolver404:
        return False


def _gone(request):
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        return JsonResponse({"error": "Gone"}, status=410)
    return HttpResponseGone(_("This server has shut down."), content_type="text/plain")


def _suspended_may_reach(path: str) -> bool:
    """A suspended or frozen user may still read and appeal the decision, and log out."""
    strikes = reverse("moderation:strikes")
    return (
        path == strikes
        or path.startswith(strikes + "/")
        or path == reverse("accounts:logout")
        or path.startswith((settings.STATIC_URL, settings.MEDIA_URL))
    )


class ModerationMiddleware:
    """Answers 410 Gone to (nearly) everything once the server has self-destructed, refuses
    every request from an IP range blocked with "no access", and keeps a
    suspended or frozen user to the pages about that decision. Runs after
    AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if SelfDestruct.is_active() and not _served_after_self_destruct(request.path_info):
            return _gone(request)
        if ip_is_denied(request.META.get("REMOTE_ADDR")):
            return HttpResponseForbidden(_("Access from your network is blocked."), content_type="text/plain")
        account = getattr(request.user, "account", None) if request.user.is_authenticated else None
        # Only an inactive user can be frozen: the query is not made for anyone else.
        confined = account is not None and (account.is_suspended or user_is_frozen(request.user))
        request.moderation_confined = confined
        if confined and not _suspended_may_reach(request.path):
            if request.path.startswith("/api/"):
                return JsonResponse({"error": "Your login is currently disabled"}, status=403)
            return redirect("moderation:strikes")
        return self.get_response(request)
