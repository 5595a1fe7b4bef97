"""Notifications: the viewer's, minus what it blocks, mutes or may no longer see
(`notifications_visible`), paged by notification id."""

from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from accounts.api.auth import scoped, viewer
from accounts.api.inputs import id_list
from accounts.api.paging import page_params, paginate, with_link
from accounts.api.serializers import iso
from accounts.api.views import accounts_data
from accounts.models import Account, Notification, NotificationType
from config.errors import NotFoundError
from statuses.selectors import notifications_unread_count, notifications_visible, statuses_by_id

from .serializers import notifications_data, statuses_data

NOTIFICATIONS_DEFAULT_LIMIT = 40
NOTIFICATIONS_MAX_LIMIT = 80


def notifications_clear(*, account: Account) -> None:
    """Dismiss every notification of the account (Mastodon's "clear")."""
    Notification.objects.filter(account=account).delete()


def notification_dismiss(*, account: Account, notification_id: int) -> None:
    Notification.objects.filter(account=account, pk=notification_id).delete()


@api_view(["GET"])
@permission_classes([scoped("read:notifications")])
def notifications(request):
    me = viewer(request)
    params = page_params(request, default=NOTIFICATIONS_DEFAULT_LIMIT, maximum=NOTIFICATIONS_MAX_LIMIT)
    queryset = notifications_visible(viewer=me)
    known = set(NotificationType.values)
    types = [t for t in id_list(request, "types") if t in known]
    if id_list(request, "types"):
        queryset = queryset.filter(type__in=types)
    excluded = id_list(request, "exclude_types")
    if excluded:
        queryset = queryset.exclude(type__in=excluded)
    account_id = request.query_params.get("account_id")
    if account_id:
        queryset = queryset.filter(from_account_id=int(account_id) if account_id.isdigit() else 0)
    page = paginate(queryset.select_related("from_account"), params)
    return with_link(Response(notifications_data(page, me)), request, page)


def _notification(me: Account, notification_id) -> Notification:
    if not str(notification_id).isdigit():
        raise NotFoundError()
    notification = notifications_visible(viewer=me).filter(pk=int(notification_id)).select_related(
        "from_account",
    ).first()
    if notification is None:
        raise NotFoundError()
    return notification


@api_view(["GET"])
@permission_classes([scoped("read:notifications")])
def notification_detail(request, notification_id):
    me = viewer(request)
    return Response(notifications_data([_notification(me, notification_id)], me)[0])


@api_view(["POST"])
@permission_classes([scoped(write="write:notifications")])
def notification_dismiss_view(request, notification_id):
    me = viewer(request)
    notification_dismiss(account=me, notification_id=_notification(me, notification_id).pk)
    return Response({})


@api_view(["POST"])
@permission_classes([scoped(write="write:notifications")])
def notifications_clear_view(request):
    notifications_clear(account=viewer(request))
    return Response({})


@api_view(["GET"])
@permission_classes([scoped("read:notifications")])
def notifications_unread(request):
    return Response({"count": notifications_unread_count(viewer=viewer(request))})


# --- v2: grouped notifications ------------------------------------------------------------

GROUPED_TYPES = {NotificationType.FAVOURITE, NotificationType.REBLOG, NotificationType.FOLLOW}
SAMPLE_ACCOUNTS = 8
DAY_MS = 86_400_000


def _day(notification: Notification) -> int:
    # Ids are time-sortable (milliseconds << 16): the day needs no date column.
    return (notification.pk >> 16) // DAY_MS


def group_key(notification: Notification) -> str:
    """As Mastodon: favourites and boosts of one post group by day, follows by day, the
    rest stand alone."""
    if notification.type in (NotificationType.FAVOURITE, NotificationType.REBLOG):
        return f"{notification.type}-{notification.status_id}-{_day(notification)}"
    if notification.type == NotificationType.FOLLOW:
        return f"follow-{_day(notification)}"
    return f"ungrouped-{notification.pk}"


def _day_range(day: int) -> dict:
    return {"pk__gte": (day * DAY_MS) << 16, "pk__lt": ((day + 1) * DAY_MS) << 16}


def _group_filter(me: Account, key: str):
    """The viewer's visible notifications in the group named by `key`, or NotFoundError."""
    kind, _sep, rest = key.partition("-")
    parts = rest.split("-")
    queryset = notifications_visible(viewer=me)
    if not all(part.isdigit() for part in parts):
        raise NotFoundError()
    numbers = [int(part) for part in parts]
    if kind == "ungrouped" and len(numbers) == 1:
        return queryset.filter(pk=numbers[0])
    if kind in ("favourite", "reblog") and len(numbers) == 2:
        return queryset.filter(type=kind, status_id=numbers[0], **_day_range(numbers[1]))
    if kind == "follow" and len(numbers) == 1:
        return queryset.filter(type=kind, **_day_range(numbers[0]))
    raise NotFoundError()


def grouped_data(notifications: list[Notification], me: Account, *, grouped_types=GROUPED_TYPES) -> dict:
    """Mastodon's GroupedNotificationsResults for a page of notifications (newest first)."""
    groups: dict[str, list[Notification]] = {}
    for notification in notifications:
        grouped = notification.type in grouped_types
        key = group_key(notification) if grouped else f"ungrouped-{notification.pk}"
        groups.setdefault(key, []).append(notification)
    accounts: dict[int, Account] = {}
    statuses = []
    output = []
    for key, members in groups.items():
        sample = []
        for member in members:
            if member.from_account_id not in sample:
                sample.append(member.from_account_id)
            accounts.setdefault(member.from_account_id, member.from_account)
        latest = members[0]
        if latest.status_id:
            statuses.append(latest.status_id)
        output.append({
            "group_key": key, "notifications_count": len(members), "type": latest.type,
            "most_recent_notification_id": latest.pk,
            "page_min_id": str(members[-1].pk), "page_max_id": str(latest.pk),
            "latest_page_notification_at": iso(latest.created_at),
            "sample_account_ids": [str(pk) for pk in sample[:SAMPLE_ACCOUNTS]],
            "status_id": str(latest.status_id) if latest.status_id else None,
        })
    loaded = statuses_by_id(list(statuses))
    return {
        "accounts": accounts_data(list(accounts.values())),
        "statuses": statuses_data([loaded[pk] for pk in dict.fromkeys(statuses) if pk in loaded], me),
        "notification_groups": output,
    }


@api_view(["GET"])
@permission_classes([scoped("read:notifications")])
def notifications_v2(request):
    me = viewer(request)
    params = page_params(request, default=NOTIFICATIONS_DEFAULT_LIMIT, maximum=NOTIFICATIONS_MAX_LIMIT)
    queryset = notifications_visible(viewer=me)
    if id_list(request, "types"):
        queryset = queryset.filter(type__in=id_list(request, "types"))
    if id_list(request, "exclude_types"):
        queryset = queryset.exclude(type__in=id_list(request, "exclude_types"))
    account_id = request.query_params.get("account_id")
    if account_id:
        queryset = queryset.filter(from_account_id=int(account_id) if account_id.isdigit() else 0)
    grouped_types = set(id_list(request, "grouped_types")) & GROUPED_TYPES or GROUPED_TYPES
    page = paginate(queryset.select_related("from_account"), params)
    return with_link(Response(grouped_data(page, me, grouped_types=grouped_types)), request, page)


@api_view(["GET"])
@permission_classes([scoped("read:notifications")])
def notification_group(request, group_key):
    me = viewer(request)
    members = list(_group_filter(me, group_key).select_related("from_account").order_by("-pk")[:100])
    if not members:
        raise NotFoundError()
    data = grouped_data(members, me)
    data["notification_groups"][0]["group_key"] = group_key
    return Response(data)


@api_view(["GET"])
@permission_classes([scoped("read:notifications")])
def notification_group_accounts(request, group_key):
    me = viewer(request)
    members = list(_group_filter(me, group_key).select_related("from_account").order_by("-pk")[:80])
    if not members:
        raise NotFoundError()
    return Response(accounts_data(list({m.from_account_id: m.from_account for m in members}.values())))


@api_view(["POST"])
@permission_classes([scoped(write="write:notifications")])
def notification_group_dismiss(request, group_key):
    me = viewer(request)
    ids = list(_group_filter(me, group_key).values_list("pk", flat=True))
    Notification.objects.filter(account=me, pk__in=ids).delete()
    return Response({})
