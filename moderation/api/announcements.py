"""Mastodon's announcements API: the current announcements with the viewer's `read` and
reactions, dismissing one, and reacting with a unicode emoji."""

from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from accounts.api.auth import scoped, viewer
from accounts.api.serializers import iso
from moderation.announcements import (
    AnnouncementsState,
    access_announcement,
    announcement_dismiss,
    announcement_reaction_add,
    announcement_reaction_remove,
    announcements_current,
    announcements_state,
)
from moderation.models import Announcement


def announcement_data(announcement: Announcement, state: AnnouncementsState) -> dict:
    """Mastodon's Announcement (no mentions, tags, statuses or custom emojis are parsed out)."""
    return {
        "id": str(announcement.pk),
        "content": announcement.text,
        "starts_at": iso(announcement.starts_at),
        "ends_at": iso(announcement.ends_at),
        "all_day": announcement.all_day,
        "published_at": iso(announcement.published_at or announcement.created_at),
        "updated_at": iso(announcement.updated_at),
        "read": announcement.pk in state.read,
        "mentions": [],
        "statuses": [],
        "tags": [],
        "emojis": [],
        "reactions": [
            {"name": r.name, "count": r.count, "me": r.me}
            for r in state.reactions[announcement.pk]
        ],
    }


@api_view(["GET"])
@permission_classes([scoped()])  # any user token, whatever its scopes (as Mastodon)
def announcements(request):
    current = announcements_current()
    state = announcements_state(viewer=viewer(request), announcements=current)
    return Response([announcement_data(a, state) for a in current])


@api_view(["POST"])
@permission_classes([scoped(write="write:accounts")])
def announcement_dismiss_view(request, announcement_id):
    announcement = access_announcement(announcement_id=announcement_id)
    announcement_dismiss(account=viewer(request), announcement=announcement)
    return Response({})


@api_view(["PUT", "DELETE"])
@permission_classes([scoped(write="write:favourites")])
def announcement_reaction(request, announcement_id, name):
    me, announcement = viewer(request), access_announcement(announcement_id=announcement_id)
    if request.method == "PUT":
        announcement_reaction_add(account=me, announcement=announcement, name=name)
    else:
        announcement_reaction_remove(account=me, announcement=announcement, name=name)
    return Response({})
