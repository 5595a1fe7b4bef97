"""Lists (named groups of followed accounts, each with a timeline) and markers (where the
user stopped reading home and notifications), as Mastodon's client API has them."""

from django.db import transaction
from django.utils import timezone
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from accounts.models import Account, Follow, List, ListAccount, Marker
from accounts.services import notifications_mark_read
from config.errors import ApplicationError, NotFoundError

from .auth import scoped, viewer
from .inputs import StringOrListField
from .paging import page_params, paginate, with_link
from .serializers import iso
from .views import ACCOUNTS_DEFAULT_LIMIT, ACCOUNTS_MAX_LIMIT, access_account, accounts_data

LISTS_MAX = 50
LIST_MEMBERS_MAX = 500


class ListError(ApplicationError):
    pass


def list_data(item: List) -> dict:
    return {"id": str(item.pk), "title": item.title, "replies_policy": item.replies_policy,
            "exclusive": item.exclusive}


def access_list(*, owner: Account, list_id) -> List:
    """One of the owner's lists; anyone else's is a 404."""
    item = List.objects.filter(pk=int(list_id) if str(list_id).isdigit() else 0, account=owner).first()
    if item is None:
        raise NotFoundError()
    return item


class ListInput(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    replies_policy = serializers.ChoiceField(choices=List.RepliesPolicy.values, required=False)
    exclusive = serializers.BooleanField(required=False)


def list_create(*, owner: Account, title: str, replies_policy: str = List.RepliesPolicy.LIST,
                exclusive: bool = False) -> List:
    if List.objects.filter(account=owner).count() >= LISTS_MAX:
        raise ListError(f"You can have at most {LISTS_MAX} lists")
    return List.objects.create(account=owner, title=title.strip(), replies_policy=replies_policy,
                               exclusive=exclusive)


@transaction.atomic
def list_accounts_add(*, item: List, accounts: list[Account]) -> None:
    """Add accounts the owner follows (Mastodon refuses others)."""
    followed = set(Follow.objects.filter(account=item.account, target_account__in=accounts).values_list(
        "target_account", flat=True,
    ))
    if any(account.pk not in followed for account in accounts):
        raise ListError("You can only add accounts you follow to a list")
    if item.memberships.count() + len(accounts) > LIST_MEMBERS_MAX:
        raise ListError(f"A list has at most {LIST_MEMBERS_MAX} accounts")
    ListAccount.objects.bulk_create(
        [ListAccount(list=item, account=account) for account in accounts], ignore_conflicts=True,
    )


@api_view(["GET", "POST"])
@permission_classes([scoped("read:lists", "write:lists")])
def lists(request):
    me = viewer(request)
    if request.method == "GET":
        return Response([list_data(item) for item in List.objects.filter(account=me)])
    data = ListInput(data=request.data)
    data.is_valid(raise_exception=True)
    return Response(list_data(list_create(owner=me, **data.validated_data)))


@api_view(["GET", "PUT", "DELETE"])
@permission_classes([scoped("read:lists", "write:lists")])
def list_detail(request, list_id):
    item = access_list(owner=viewer(request), list_id=list_id)
    if request.method == "DELETE":
        item.delete()
        return Response({})
    if request.method == "PUT":
        data = ListInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(item, name, value.strip() if name == "title" else value)
        item.save()
    return Response(list_data(item))


def _account_ids(request) -> list[Account]:
    field = StringOrListField()
    field.bind("account_ids", serializers.Serializer())
    raw = field.get_value(request.data)
    if raw is serializers.empty:
        raise serializers.ValidationError({"account_ids": ["is required"]})
    return [access_account(account_id) for account_id in field.run_validation(raw)[:LIST_MEMBERS_MAX]]


@api_view(["GET", "POST", "DELETE"])
@permission_classes([scoped("read:lists", "write:lists")])
def list_accounts(request, list_id):
    item = access_list(owner=viewer(request), list_id=list_id)
    if request.method == "POST":
        list_accounts_add(item=item, accounts=_account_ids(request))
        return Response({})
    if request.method == "DELETE":
        ListAccount.objects.filter(list=item, account__in=_account_ids(request)).delete()
        return Response({})
    members = item.memberships.filter(account__suspended_at__isnull=True).select_related("account")
    if request.query_params.get("limit") == "0":
        # Mastodon: limit=0 asks for every member at once, unpaged (a list holds few enough).
        return Response(accounts_data([r.account for r in members.order_by("-id")]))
    params = page_params(request, default=ACCOUNTS_DEFAULT_LIMIT, maximum=ACCOUNTS_MAX_LIMIT)
    rows = paginate(members, params)
    return with_link(Response(accounts_data([r.account for r in rows])), request, rows)


@api_view(["GET"])
@permission_classes([scoped("read:lists")])
def account_lists(request, account_id):
    target = access_account(account_id)
    found = List.objects.filter(account=viewer(request), memberships__account=target)
    return Response([list_data(item) for item in found])


# --- markers --------------------------------------------------------------------------------


def marker_data(marker: Marker) -> dict:
    return {"last_read_id": str(marker.last_read_id), "version": marker.version,
            "updated_at": iso(marker.updated_at)}


@transaction.atomic
def marker_set(*, account: Account, timeline: str, last_read_id: int) -> Marker:
    """Move a marker (a new version each time); the notifications marker is also what
    counts a notification as read."""
    marker, _created = Marker.objects.select_for_update().get_or_create(account=account, timeline=timeline)
    marker.last_read_id = last_read_id
    marker.version += 1
    marker.updated_at = timezone.now()
    marker.save()
    if timeline == Marker.Timeline.NOTIFICATIONS:
        notifications_mark_read(user=account.user, up_to_id=last_read_id)
    return marker


def _marker_positions(data) -> dict[str, int]:
    positions = {}
    for timeline in Marker.Timeline.values:
        value = data.get(timeline) if isinstance(data.get(timeline), dict) else None
        raw = value.get("last_read_id") if value else data.get(f"{timeline}[last_read_id]")
        if raw is None:
            continue
        if not str(raw).isdigit():
            raise serializers.ValidationError({f"{timeline}[last_read_id]": ["is not a valid id"]})
        positions[timeline] = int(raw)
    return positions


@api_view(["GET", "POST"])
@permission_classes([scoped("read:statuses", "write:statuses")])
def markers(request):
    me = viewer(request)
    if request.method == "POST":
        positions = _marker_positions(request.data)
        saved = [marker_set(account=me, timeline=t, last_read_id=i) for t, i in positions.items()]
        return Response({m.timeline: marker_data(m) for m in saved})
    wanted = request.query_params.getlist("timeline[]") or request.query_params.getlist("timeline")
    found = Marker.objects.filter(account=me, timeline__in=wanted)
    return Response({m.timeline: marker_data(m) for m in found})
