"""Timelines and the other paged lists of statuses (a profile's posts, favourites,
bookmarks). Each is the visibility rule (`visible_statuses`) narrowed by the list's own
filter, read one keyset page at a time."""

from django.db.models import Exists, F, OuterRef, Q
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.api.auth import scoped, viewer
from accounts.api.lists import access_list
from accounts.api.paging import page_params, paginate, with_link
from accounts.api.views import access_account
from accounts.models import Follow, List, ListAccount
from statuses.feeds import home_filter
from statuses.models import Bookmark, Favourite, MediaAttachment, Status, StatusPin, Tag, Visibility
from statuses.permissions import not_muted_by, visible_statuses
from statuses.selectors import statuses_by_id, statuses_for_display, timeline_home

from .filters import filter_statuses
from .serializers import statuses_data

TRUE_VALUES = {"1", "true", "True", "TRUE", "on", "yes"}
FALSE_VALUES = {"0", "false", "False", "FALSE", "off", "no", ""}


def flag(request, name: str) -> bool:
    value = request.query_params.get(name)
    if value is None:
        return False
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ValidationError({name: ["must be a boolean"]})


def with_media() -> Exists:
    return Exists(MediaAttachment.objects.filter(status=OuterRef("pk")))


def filtered_page(request, page: list[Status], *, me, context: str) -> Response:
    """Render a page after the viewer's filters; the Link header follows the unfiltered page
    so that paging goes on past hidden statuses."""
    kept, filtered = filter_statuses(page, me, context)
    return with_link(Response(statuses_data(kept, me, filtered=filtered)), request, page)


def statuses_page(request, queryset, *, me, context: str) -> Response:
    params = page_params(request)
    page = paginate(statuses_for_display(queryset), params)
    return filtered_page(request, page, me=me, context=context)


@api_view(["GET"])
@permission_classes([scoped("read:statuses")])
def timeline_home_view(request):
    me = viewer(request)
    params = page_params(request)
    if params.since_id is None and params.min_id is None:
        # The common case (newest page, or older ones) reads the fan-out feed.
        page = timeline_home(viewer=me, max_id=params.max_id, limit=params.limit)
        return filtered_page(request, page, me=me, context="home")
    # Catching up (since_id / min_id) reads the database, the feed's source of truth.
    queryset = visible_statuses(me).filter(home_filter(me) & not_muted_by(me))
    return statuses_page(request, queryset, me=me, context="home")


@api_view(["GET"])
@permission_classes([scoped("read:lists")])
def timeline_list(request, list_id):
    """Posts and boosts of the list's members, replies as its policy says."""
    me = viewer(request)
    item = access_list(owner=me, list_id=list_id)
    members = ListAccount.objects.filter(list=item).values("account")
    queryset = visible_statuses(me).filter(account__in=members).filter(not_muted_by(me))
    shown = Q(in_reply_to_account__isnull=True) | Q(in_reply_to_account=F("account"))
    if item.replies_policy == List.RepliesPolicy.LIST:
        shown |= Q(in_reply_to_account__in=members) | Q(in_reply_to_account=me)
    elif item.replies_policy == List.RepliesPolicy.FOLLOWED:
        followed = Follow.objects.filter(account=me).values("target_account")
        shown |= Q(in_reply_to_account__in=followed) | Q(in_reply_to_account=me)
    queryset = queryset.filter(shown)
    return statuses_page(request, queryset, me=me, context="home")


def public_statuses(me, *, local: bool = False, remote: bool = False, only_media: bool = False):
    queryset = (
        visible_statuses(me)
        .filter(visibility=Visibility.PUBLIC, reblog__isnull=True)
        .filter(not_muted_by(me))
    )
    if local:
        queryset = queryset.filter(account__domain__isnull=True)
    elif remote:
        queryset = queryset.filter(account__domain__isnull=False)
    if only_media:
        queryset = queryset.filter(with_media())
    return queryset


@api_view(["GET"])
@permission_classes([scoped("read:statuses", public=True)])
def timeline_public(request):
    me = viewer(request)
    queryset = public_statuses(
        me, local=flag(request, "local"), remote=flag(request, "remote"),
        only_media=flag(request, "only_media"),
    )
    return statuses_page(request, queryset, me=me, context="public")


def _tags_named(names: list[str]) -> list[int]:
    names = [n.lstrip("#").lower() for n in names if n][:10]
    if not names:
        return []
    query = Q()
    for name in names:
        query |= Q(name__iexact=name)
    return list(Tag.objects.filter(query).values_list("pk", flat=True))


def _tag_params(request, name: str) -> list[str]:
    return request.query_params.getlist(f"{name}[]") or request.query_params.getlist(name)


@api_view(["GET"])
@permission_classes([scoped("read:statuses", public=True)])
def timeline_tag(request, hashtag):
    me = viewer(request)
    main = _tags_named([hashtag])
    queryset = public_statuses(
        me, local=flag(request, "local"), remote=flag(request, "remote"),
        only_media=flag(request, "only_media"),
    )
    any_tags = _tags_named(_tag_params(request, "any"))
    queryset = queryset.filter(
        Exists(Status.tags.through.objects.filter(status=OuterRef("pk"), tag__in=main + any_tags))
    )
    for tag_id in _tags_named(_tag_params(request, "all")):
        queryset = queryset.filter(
            Exists(Status.tags.through.objects.filter(status=OuterRef("pk"), tag=tag_id))
        )
    none_tags = _tags_named(_tag_params(request, "none"))
    if none_tags:
        queryset = queryset.exclude(
            Exists(Status.tags.through.objects.filter(status=OuterRef("pk"), tag__in=none_tags))
        )
    return statuses_page(request, queryset, me=me, context="public")


@api_view(["GET"])
@permission_classes([scoped("read:statuses", public=True)])
def account_statuses(request, account_id):
    me = viewer(request)
    account = access_account(account_id)
    queryset = visible_statuses(me).filter(account=account)
    if flag(request, "pinned"):
        queryset = queryset.filter(pk__in=StatusPin.objects.filter(account=account).values("status"))
    if flag(request, "exclude_replies"):
        # Threads of one's own posts stay, as on Mastodon.
        queryset = queryset.filter(Q(in_reply_to_id__isnull=True) | Q(in_reply_to_account=account))
    if flag(request, "exclude_reblogs"):
        queryset = queryset.filter(reblog__isnull=True)
    if flag(request, "only_media"):
        queryset = queryset.filter(with_media(), reblog__isnull=True)
    tagged = request.query_params.get("tagged")
    if tagged:
        queryset = queryset.filter(
            Exists(Status.tags.through.objects.filter(status=OuterRef("pk"), tag__in=_tags_named([tagged])))
        )
    return statuses_page(request, queryset, me=me, context="account")


def _rows_of_statuses(request, rows_queryset, me) -> Response:
    """Favourites and bookmarks page by their own row id (when it was saved), as Mastodon."""
    params = page_params(request)
    rows = paginate(rows_queryset.filter(status__in=visible_statuses(me).values("pk")), params)
    loaded = statuses_by_id([r.status_id for r in rows])
    statuses = [loaded[r.status_id] for r in rows if r.status_id in loaded]
    return with_link(Response(statuses_data(statuses, me)), request, rows)


@api_view(["GET"])
@permission_classes([scoped("read:favourites")])
def favourites(request):
    me = viewer(request)
    return _rows_of_statuses(request, Favourite.objects.filter(account=me), me)


@api_view(["GET"])
@permission_classes([scoped("read:bookmarks")])
def bookmarks(request):
    me = viewer(request)
    return _rows_of_statuses(request, Bookmark.objects.filter(account=me), me)
