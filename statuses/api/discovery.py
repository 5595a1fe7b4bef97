"""Finding things: search (accounts, hashtags, statuses), hashtags and their recent use,
trends computed from recent public activity, follow suggestions, and the server's peers
and weekly activity."""

from datetime import datetime, time, timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from accounts.api.auth import scoped, viewer
from accounts.api.paging import page_params
from accounts.api.serializers import absolute_url
from accounts.api.views import accounts_data
from accounts.models import Account, Block, Follow, User
from accounts.selectors import account_get_by_acct
from config.errors import ApplicationError, NotFoundError
from statuses.models import Bookmark, Favourite, Mention, Status, Tag, Visibility
from statuses.permissions import visible_statuses
from statuses.selectors import statuses_for_display, tags_visible_to
from statuses.tag_selectors import tag_flags, tags_known_to

from .serializers import statuses_data

TREND_DAYS = 7
SEARCH_MAX_QUERY = 200


def tag_history(tag_ids: list[int], days: int = TREND_DAYS) -> dict[int, list[dict]]:
    """Per tag, uses and distinct authors for each of the last `days` days (newest first),
    from public statuses, in one query."""
    today = timezone.now().date()
    since = timezone.make_aware(datetime.combine(today - timedelta(days=days - 1), time.min))
    rows = (
        public_to_everyone().filter(tags__in=tag_ids, created_at__gte=since)
        .annotate(day=TruncDate("created_at"), tag=F("tags"))
        .values("tag", "day")
        .annotate(uses=Count("pk", distinct=True), accounts=Count("account", distinct=True))
    )
    found = {(row["tag"], row["day"]): row for row in rows}
    history = {}
    for tag_id in tag_ids:
        history[tag_id] = []
        for offset in range(days):
            day = today - timedelta(days=offset)
            row = found.get((tag_id, day), {"uses": 0, "accounts": 0})
            midnight = timezone.make_aware(datetime.combine(day, time.min))
            history[tag_id].append({
                "day": str(int(midnight.timestamp())), "uses": str(row["uses"]),
                "accounts": str(row["accounts"]),
            })
    return history


def public_to_everyone():
    """Public posts a visitor may see (the visibility rule for nobody): what trends and tag
    histories are made of, so a limited or suspended author never trends."""
    return visible_statuses(None).filter(visibility=Visibility.PUBLIC, reblog__isnull=True)


def tags_data(tags: list[Tag], viewer: Account | None = None) -> list[dict]:
    """Tag entities; `following` and `featuring` say what the viewer does with each."""
    history = tag_history([t.pk for t in tags])
    followed, featured = tag_flags(viewer=viewer, tag_ids=[t.pk for t in tags])
    return [
        {"id": str(t.pk), "name": t.name.lower(), "url": absolute_url(f"/tags/{t.name.lower()}"),
         "history": history[t.pk], "following": t.pk in followed, "featuring": t.pk in featured}
        for t in tags
    ]


def _hidden_accounts(me: Account | None) -> Q:
    hidden = Q(suspended_at__isnull=False)
    if me is not None:
        hidden |= Q(pk__in=Block.objects.filter(account=me).values("target_account"))
        hidden |= Q(pk__in=Block.objects.filter(target_account=me).values("account"))
    return hidden


def search_accounts(me: Account | None, query: str, limit: int, offset: int = 0,
                    following: bool = False) -> list[Account]:
    query = query.strip().lstrip("@")
    if not query:
        return []
    if "@" in query:
        try:
            account = account_get_by_acct(acct=query)
        except NotFoundError:
            return []
        hidden = Account.objects.filter(pk=account.pk).filter(_hidden_accounts(me)).exists()
        return [] if hidden else [account]
    found = Account.objects.exclude(_hidden_accounts(me)).filter(
        Q(username__istartswith=query) | Q(display_name__icontains=query)
    )
    if following and me is not None:
        found = found.filter(pk__in=Follow.objects.filter(account=me).values("target_account"))
    # Exact usernames first, then local accounts, then the rest by name.
    found = found.annotate(exact=Q(username__iexact=query), local=Q(domain__isnull=True))
    return list(found.order_by("-exact", "-local", "username")[offset:offset + limit])


def search_hashtags(me: Account | None, query: str, limit: int, offset: int = 0) -> list[Tag]:
    query = query.strip().lstrip("#")
    if not query:
        return []
    found = tags_visible_to(me).filter(name__istartswith=query)
    return list(found.order_by("name")[offset:offset + limit])


def search_statuses(me: Account | None, query: str, limit: int, offset: int = 0,
                    account_id: str | None = None) -> list[Status]:
    """A status by its URL or URI; or, as on Mastodon, full text among the statuses the
    viewer wrote, favourited, bookmarked or was mentioned in."""
    query = query.strip()
    if not query or me is None:
        return []
    visible = visible_statuses(me)
    if query.startswith(("https://", "http://")):
        found = visible.filter(Q(uri=query) | Q(url=query))
        if not found.exists() and "/" in query:
            tail = query.rstrip("/").rsplit("/", 1)[-1]
            if tail.isdigit():
                found = visible.filter(pk=int(tail), account__domain__isnull=True)
        return list(statuses_for_display(found)[:1])
    mine = (
        Q(account=me)
        | Q(pk__in=Favourite.objects.filter(account=me).values("status"))
        | Q(pk__in=Bookmark.objects.filter(account=me).values("status"))
        | Q(pk__in=Mention.objects.filter(account=me).values("status"))
    )
    found = visible.filter(mine, reblog__isnull=True).filter(
        Q(text__icontains=query) | Q(content__icontains=query) | Q(spoiler_text__icontains=query)
    )
    if account_id:
        found = found.filter(account_id=int(account_id) if account_id.isdigit() else 0)
    return list(statuses_for_display(found.order_by("-id"))[offset:offset + limit])


def resolve_remote(me: Account, query: str) -> Account | Status | None:
    """`@user@domain` or a URL, fetched from its server when not known yet (federation's
    resolver); only what the viewer may see comes back."""
    from federation.services.resolve import resolve

    found = resolve(query.strip())
    if isinstance(found, Account):
        hidden = Account.objects.filter(pk=found.pk).filter(_hidden_accounts(me)).exists()
        return None if hidden else found
    if isinstance(found, Status):
        return statuses_for_display(visible_statuses(me).filter(pk=found.pk)).first()
    return None


def _offset(request) -> int:
    raw = request.query_params.get("offset", "0")
    if not raw.isdigit():
        raise ApplicationError("Validation failed: offset must be a positive integer")
    return min(int(raw), 10_000)


@api_view(["GET"])
@permission_classes([scoped("read:search", public=True)])
def search_v2(request):
    me = viewer(request)
    query = request.query_params.get("q", "")[:SEARCH_MAX_QUERY]
    kind = request.query_params.get("type")
    limit = page_params(request).limit
    offset = _offset(request)
    if offset and me is None:
        raise ApplicationError("Search queries with an offset need an authenticated user", field="offset")
    following = request.query_params.get("following") in ("true", "1")
    accounts = search_accounts(me, query, limit, offset, following) if kind in (None, "accounts") else []
    hashtags = search_hashtags(me, query, limit, offset) if kind in (None, "hashtags") else []
    statuses = (
        search_statuses(me, query, limit, offset, request.query_params.get("account_id"))
        if kind in (None, "statuses") else []
    )
    if request.query_params.get("resolve") in ("true", "1") and me is not None and not offset:
        found = resolve_remote(me, query)
        if isinstance(found, Account) and kind in (None, "accounts") and found not in accounts:
            accounts = [found, *accounts][:limit]
        elif isinstance(found, Status) and kind in (None, "statuses") and found not in statuses:
            statuses = [found, *statuses][:limit]
    return Response({
        "accounts": accounts_data(accounts),
        "hashtags": tags_data(hashtags, me),
        "statuses": statuses_data(statuses, me),
    })


@api_view(["GET"])
@permission_classes([scoped("read:accounts")])
def accounts_search(request):
    me = viewer(request)
    query = request.query_params.get("q", "")[:SEARCH_MAX_QUERY]
    limit = page_params(request, default=40, maximum=80).limit
    following = request.query_params.get("following") in ("true", "1")
    found = search_accounts(me, query, limit, _offset(request), following)
    if request.query_params.get("resolve") in ("true", "1") and "@" in query.strip().lstrip("@"):
        remote = resolve_remote(me, query)
        if isinstance(remote, Account) and remote not in found:
            found = [remote, *found][:limit]
    return Response(accounts_data(found))


@api_view(["GET"])
@permission_classes([scoped("read:statuses", public=True)])
def tag_detail(request, name):
    """A hashtag used in a post the viewer may see, or one the viewer follows or features
    (it knows that one exists); any other is a 404 like a name never used."""
    me = viewer(request)
    tag = tags_known_to(me).filter(name__iexact=name.lstrip("#")).first()
    if tag is None:
        raise NotFoundError()
    return Response(tags_data([tag], me)[0])


@api_view(["GET"])
def trends_tags(request):
    """Hashtags used by the most distinct people in public posts over the last week."""
    limit = page_params(request, default=10, maximum=20).limit
    since = timezone.now() - timedelta(days=TREND_DAYS)
    rows = list(
        public_to_everyone().filter(created_at__gte=since, tags__isnull=False)
        .values("tags").annotate(people=Count("account", distinct=True))
        .order_by("-people", "tags")[:limit]
    )
    found = Tag.objects.in_bulk([row["tags"] for row in rows])
    return Response(tags_data([found[row["tags"]] for row in rows if row["tags"] in found], viewer(request)))


@api_view(["GET"])
@permission_classes([scoped("read:statuses", public=True)])
def trends_statuses(request):
    """Public posts of the last two days with the most boosts and favourites."""
    me = viewer(request)
    limit = page_params(request, default=20, maximum=40).limit
    since = timezone.now() - timedelta(days=2)
    found = (
        visible_statuses(me, public_to_everyone())
        .filter(created_at__gte=since)
        .annotate(score=Count("favourites", distinct=True) + Count("reblogs", distinct=True))
        .filter(score__gt=0)
        .order_by("-score", "-id")
    )
    return Response(statuses_data(list(statuses_for_display(found)[:limit]), me))


@api_view(["GET"])
def trends_links(request):
    # No link previews are fetched yet, so no link can trend.
    return Response([])


@api_view(["GET"])
@permission_classes([scoped("read:accounts")])
def suggestions(request):
    """Discoverable local people the viewer does not follow yet, most followed first."""
    me = viewer(request)
    limit = page_params(request, default=40, maximum=80).limit
    followed = Follow.objects.filter(account=me).values("target_account")
    found = list(
        Account.objects.local().exclude(_hidden_accounts(me))
        .filter(discoverable=True).exclude(pk=me.pk).exclude(pk__in=followed)
        .annotate(followers=Count("follower_set")).order_by("-followers", "-pk")[:limit]
    )
    rendered = accounts_data(found)
    return Response([{"source": "global", "sources": ["most_followed"], "account": a} for a in rendered])


@api_view(["GET"])
def instance_peers(request):
    domains = Account.objects.remote().values_list("domain", flat=True).distinct().order_by("domain")
    return Response(list(domains))


@api_view(["GET"])
def instance_activity(request):
    """Twelve weeks of local posts, logins and sign-ups, newest week first."""
    now = timezone.now()
    monday = timezone.make_aware(datetime.combine((now - timedelta(days=now.weekday())).date(), time.min))
    weeks = []
    for n in range(12):
        start, end = monday - timedelta(weeks=n), monday - timedelta(weeks=n - 1)
        weeks.append({
            "week": str(int(start.timestamp())),
            "statuses": str(Status.objects.local().filter(created_at__gte=start, created_at__lt=end).count()),
            "logins": str(User.objects.filter(last_login__gte=start, last_login__lt=end).count()),
            "registrations": str(User.objects.filter(date_joined__gte=start, date_joined__lt=end).count()),
        })
    return Response(weeks)

