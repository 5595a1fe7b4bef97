"""Followed hashtags (their public posts reach the home timeline) and featured hashtags (shown
on a profile), as Mastodon's client API has them."""

from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from accounts.api.auth import scoped, viewer
from accounts.api.paging import page_params, paginate, with_link
from accounts.api.serializers import absolute_url
from accounts.api.views import access_account
from config.errors import NotFoundError
from statuses.models import FeaturedTag
from statuses.tag_selectors import featured_tag_suggestions, featured_tags_of, tag_follows_of
from statuses.tag_services import (
    featured_tag_create,
    featured_tag_delete,
    is_hashtag_name,
    tag_follow,
    tag_unfollow,
)

from .discovery import tags_data

FOLLOWED_TAGS_DEFAULT_LIMIT = 100
FOLLOWED_TAGS_MAX_LIMIT = 200


def featured_tag_data(featured: FeaturedTag) -> dict:
    """The FeaturedTag entity; `featured` comes from `featured_tags_of` (with its counts)."""
    name = featured.tag.name.lower()
    last = featured.last_status_at
    return {
        "id": str(featured.pk),
        "name": name,
        "url": absolute_url(f"/@{featured.account.acct}/tagged/{name}"),
        "statuses_count": str(featured.statuses_count),
        "last_status_at": last.date().isoformat() if last else None,
    }


def _tag_name(name: str) -> str:
    # As on Mastodon, a path that is not a hashtag names nothing: 404.
    name = name.removeprefix("#")
    if not is_hashtag_name(name):
        raise NotFoundError()
    return name


@api_view(["POST"])
@permission_classes([scoped(write="write:follows")])
def tag_follow_view(request, name):
    me = viewer(request)
    return Response(tags_data([tag_follow(account=me, name=_tag_name(name))], me)[0])


@api_view(["POST"])
@permission_classes([scoped(write="write:follows")])
def tag_unfollow_view(request, name):
    me = viewer(request)
    return Response(tags_data([tag_unfollow(account=me, name=_tag_name(name))], me)[0])


@api_view(["GET"])
@permission_classes([scoped("read:follows")])
def followed_tags(request):
    """Paged by when each was followed (the follow's id), newest first, as Mastodon."""
    me = viewer(request)
    params = page_params(request, default=FOLLOWED_TAGS_DEFAULT_LIMIT, maximum=FOLLOWED_TAGS_MAX_LIMIT)
    follows = paginate(tag_follows_of(account=me), params)
    return with_link(Response(tags_data([f.tag for f in follows], me)), request, follows)


class FeaturedTagInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)


@api_view(["GET", "POST"])
@permission_classes([scoped("read:accounts", "write:accounts")])
def featured_tags(request):
    me = viewer(request)
    if request.method == "POST":
        data = FeaturedTagInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = featured_tag_create(account=me, name=data.validated_data["name"])
        found = next(f for f in featured_tags_of(account=me) if f.pk == created.pk)
        return Response(featured_tag_data(found))
    return Response([featured_tag_data(f) for f in featured_tags_of(account=me)])


@api_view(["DELETE"])
@permission_classes([scoped(write="write:accounts")])
def featured_tag_detail(request, featured_tag_id):
    featured_tag_delete(account=viewer(request), featured_tag_id=featured_tag_id)
    return Response({})


@api_view(["GET"])
@permission_classes([scoped("read:accounts")])
def featured_tags_suggestions(request):
    me = viewer(request)
    return Response(tags_data(featured_tag_suggestions(account=me), me))


@api_view(["GET"])
@permission_classes([scoped("read:accounts", public=True)])
def account_featured_tags(request, account_id):
    account = access_account(account_id)
    return Response([featured_tag_data(f) for f in featured_tags_of(account=account)])
