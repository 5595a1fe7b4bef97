"""Notifications: the viewer's, minus what it blocks, mutes or may no longer see
(`notifications_visible`), paged by notification id."""

from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from accounts.api.auth import scoped, viewer
from accounts.api.inputs import id_list
from accounts.api.paging import page_params, paginate, with_link
from accounts.models import Account, Notification, NotificationType
from config.errors import NotFoundError
from statuses.selectors import notifications_unread_count, notifications_visible

from .serializers import notifications_data

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
