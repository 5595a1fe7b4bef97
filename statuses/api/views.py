"""Statuses and media in Mastodon's client API. Every status id goes through
`access_status` (a status the viewer may not see is a 404, as a missing one), every write
through the statuses services the web pages use."""

from django.db import transaction
from django.db.models import Q
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from accounts.api.auth import scoped, viewer
from accounts.api.inputs import StringOrListField
from accounts.api.paging import page_params, paginate, with_link
from accounts.api.views import ACCOUNTS_DEFAULT_LIMIT, ACCOUNTS_MAX_LIMIT, accounts_data
from accounts.models import Account, Block
from config.errors import NotFoundError
from statuses import services
from statuses.models import (
    MEDIA_DESCRIPTION_MAX_CHARS,
    Favourite,
    MediaAttachment,
    Poll,
    Status,
    Visibility,
)
from statuses.permissions import access_status, visible_statuses
from statuses.polls import poll_create
from statuses.scheduled import scheduled_status_create
from statuses.selectors import status_context, statuses_for_display
from statuses.threads import conversation_mute, conversation_unmute

from .filters import filter_results, filter_statuses
from .idempotency import status_create_idempotent
from .polls import poll_input
from .scheduled import parse_scheduled_at, scheduled_statuses_data
from .serializers import edits_data, media_data, status_data, statuses_data

TEXT_MAX_INPUT = 20_000  # far above the post limit: the service says how long is too long


def text_field(**kwargs):
    return serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX_INPUT,
                                 **kwargs)


def _reload(status: Status) -> Status:
    """The status with what the serializers read, after a write."""
    return statuses_for_display(Status.objects.filter(pk=status.pk)).get()


class IdsField(StringOrListField):
    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        if not all(value.isdigit() for value in values):
            self.fail("invalid")
        return [int(value) for value in values]


class StatusCreateInput(serializers.Serializer):
    status = text_field(trim_whitespace=False)
    media_ids = IdsField(required=False)
    in_reply_to_id = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    sensitive = serializers.BooleanField(default=False)
    spoiler_text = text_field()
    visibility = serializers.ChoiceField(choices=Visibility.values, required=False)
    language = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=10)
    scheduled_at = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    poll = serializers.JSONField(required=False, allow_null=True)  # read by poll_input


@api_view(["GET", "POST"])
@permission_classes([scoped("read:statuses", "write:statuses", public=True)])
def status_create_or_many(request):
    return _statuses_many(request) if request.method == "GET" else _status_create(request)


def _status_create(request):
    data = StatusCreateInput(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    poll = poll_input(request)
    me = viewer(request)
    in_reply_to = None
    if values.get("in_reply_to_id"):
        in_reply_to = access_status(viewer=me, status_id=values["in_reply_to_id"])
    if values.get("scheduled_at"):
        scheduled = scheduled_status_create(
            author=me, scheduled_at=parse_scheduled_at(values["scheduled_at"]),
            text=values["status"], visibility=values.get("visibility") or me.user.default_visibility,
            spoiler_text=values["spoiler_text"], sensitive=values["sensitive"],
            language=values.get("language") or "", in_reply_to=in_reply_to,
            media_ids=values.get("media_ids") or [], poll=poll, application=request.auth.application,
            idempotency=request.headers.get("Idempotency-Key"),
        )
        return Response(scheduled_statuses_data([scheduled])[0])
    with transaction.atomic():
        status = status_create_idempotent(
            author=me, key=request.headers.get("Idempotency-Key"),
            text=values["status"], visibility=values.get("visibility") or me.user.default_visibility,
            spoiler_text=values["spoiler_text"], sensitive=values["sensitive"],
            language=values.get("language") or "", in_reply_to=in_reply_to,
            media_ids=values.get("media_ids") or [], application=request.auth.application,
        )
        if poll is not None and not Poll.objects.filter(status=status).exists():
            poll_create(status=status, **poll)
    return Response(status_data(_reload(status), me))


def _statuses_many(request):
    """GET /api/v1/statuses?id[]=…: the visible ones, in the order asked."""
    me = viewer(request)
    ids = []
    for value in (request.query_params.getlist("id[]") or request.query_params.getlist("id"))[:40]:
        if value.isdigit():
            ids.append(int(value))
    found = statuses_for_display(visible_statuses(me).filter(pk__in=ids)).in_bulk()
    statuses = [found[i] for i in dict.fromkeys(ids) if i in found]
    return Response(statuses_data(statuses, me, filtered=filter_results(statuses, me)))


class StatusEditInput(serializers.Serializer):
    status = text_field()
    spoiler_text = text_field()
    sensitive = serializers.BooleanField(default=False)
    language = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=10)
    media_ids = IdsField(required=False)
    media_attributes = serializers.ListField(child=serializers.DictField(), required=False)
    poll = serializers.JSONField(required=False, allow_null=True)


def _media_attributes(request, values) -> list[dict]:
    """`media_attributes` as a JSON list, or form fields `media_attributes[][id]=…`."""
    if values.get("media_attributes"):
        return values["media_attributes"]
    data = request.data
    if hasattr(data, "getlist"):
        ids = data.getlist("media_attributes[][id]")
        descriptions = data.getlist("media_attributes[][description]")
        return [{"id": i, "description": d} for i, d in zip(ids, descriptions, strict=False)]
    return []


@api_view(["GET", "PUT", "DELETE"])
@permission_classes([scoped("read:statuses", "write:statuses", public=True)])
def status_detail(request, status_id):
    me = viewer(request)
    status = access_status(viewer=me, status_id=status_id)
    if request.method == "GET":
        status = _reload(status)
        return Response(status_data(status, me, filtered=filter_results([status], me)))
    if request.method == "DELETE":
        if status.account_id != me.pk:
            raise NotFoundError()
        # Mastodon answers with the deleted status and its source, so a client can redraft.
        rendered = status_data(_reload(status), me, with_source=True)
        services.status_delete(status=status, by=me)
        return Response(rendered)
    data = StatusEditInput(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    if status.account_id != me.pk or status.reblog_id:
        raise NotFoundError()
    # As on Mastodon, an edit is the whole post: attachments and a poll not sent again are removed.
    poll = poll_input(request)
    descriptions = {}
    for item in _media_attributes(request, values):
        try:
            media_id = int(item.get("id"))
        except (TypeError, ValueError):
            continue
        if isinstance(item.get("description"), str):
            descriptions[media_id] = item["description"]
    services.status_edit(
        status=status, by=me, text=values["status"], spoiler_text=values["spoiler_text"],
        sensitive=values["sensitive"], language=values.get("language"),
        media_descriptions=descriptions, media_ids=values.get("media_ids") or [], poll=poll,
    )
    return Response(status_data(_reload(status), me))


@api_view(["GET"])
@permission_classes([scoped("read:statuses", public=True)])
def status_history(request, status_id):
    status = access_status(viewer=viewer(request), status_id=status_id)
    if status.reblog_id:
        raise NotFoundError()
    return Response(edits_data(status, list(status.edits.all())))


@api_view(["GET"])
@permission_classes([scoped("read:statuses")])
def status_source(request, status_id):
    me = viewer(request)
    status = access_status(viewer=me, status_id=status_id)
    if status.account_id != me.pk or status.reblog_id:
        raise NotFoundError()
    return Response({"id": str(status.pk), "text": status.text, "spoiler_text": status.spoiler_text})


@api_view(["GET"])
@permission_classes([scoped("read:statuses", public=True)])
def status_context_view(request, status_id):
    me = viewer(request)
    status = access_status(viewer=me, status_id=status_id)
    if status.reblog_id:
        status = access_status(viewer=me, status_id=status.reblog_id)
    ancestors, descendants = status_context(viewer=me, status=status)
    ancestors, filtered = filter_statuses(ancestors, me, "thread")
    descendants, filtered_below = filter_statuses(descendants, me, "thread")
    rendered = statuses_data(ancestors + descendants, me, filtered={**filtered, **filtered_below})
    return Response({
        "ancestors": rendered[: len(ancestors)], "descendants": rendered[len(ancestors):],
    })


def _original(status: Status) -> Status:
    return status.reblog if status.reblog_id else status


def _action(scope: str):
    """A POST on a status the viewer may see; the view returns the status to render."""

    def wrap(fn):
        @api_view(["POST"])
        @permission_classes([scoped(write=scope)])
        def view(request, status_id):
            me = viewer(request)
            with transaction.atomic():
                result = fn(me, access_status(viewer=me, status_id=status_id))
            return Response(status_data(_reload(result), me))

        view.__name__ = view.__qualname__ = fn.__name__
        return view

    return wrap


@_action("write:statuses")
def status_reblog(me, status):
    return services.reblog_create(account=me, status=status)


@_action("write:statuses")
def status_unreblog(me, status):
    services.reblog_remove(account=me, status=status)
    return _original(status)


@_action("write:favourites")
def status_favourite(me, status):
    services.favourite_create(account=me, status=status)
    return _original(status)


@_action("write:favourites")
def status_unfavourite(me, status):
    services.favourite_remove(account=me, status=status)
    return _original(status)


@_action("write:bookmarks")
def status_bookmark(me, status):
    services.bookmark_create(account=me, status=status)
    return _original(status)


@_action("write:bookmarks")
def status_unbookmark(me, status):
    services.bookmark_remove(account=me, status=status)
    return _original(status)


@_action("write:accounts")
def status_pin(me, status):
    services.pin_create(account=me, status=status)
    return status


@_action("write:accounts")
def status_unpin(me, status):
    services.pin_remove(account=me, status=status)
    return status


@_action("write:mutes")
def status_mute(me, status):
    conversation_mute(account=me, status=status)
    return status


@_action("write:mutes")
def status_unmute(me, status):
    conversation_unmute(account=me, status=status)
    return status


def _shown_accounts(me: Account | None) -> Q:
    """People a list of who boosted or favourited shows: not suspended, not blocked."""
    shown = Q(account__suspended_at__isnull=True)
    if me is not None:
        blocked = Block.objects.filter(Q(account=me) | Q(target_account=me))
        shown &= ~Q(account__in=blocked.filter(account=me).values("target_account"))
        shown &= ~Q(account__in=blocked.filter(target_account=me).values("account"))
    return shown


@api_view(["GET"])
@permission_classes([scoped("read:statuses", public=True)])
def status_reblogged_by(request, status_id):
    me = viewer(request)
    status = _original(access_status(viewer=me, status_id=status_id))
    params = page_params(request, default=ACCOUNTS_DEFAULT_LIMIT, maximum=ACCOUNTS_MAX_LIMIT)
    rows = paginate(
        visible_statuses(me, Status.objects.filter(reblog=status)).filter(_shown_accounts(me))
        .select_related("account"), params,
    )
    return with_link(Response(accounts_data([r.account for r in rows])), request, rows)


@api_view(["GET"])
@permission_classes([scoped("read:statuses", public=True)])
def status_favourited_by(request, status_id):
    me = viewer(request)
    status = _original(access_status(viewer=me, status_id=status_id))
    params = page_params(request, default=ACCOUNTS_DEFAULT_LIMIT, maximum=ACCOUNTS_MAX_LIMIT)
    rows = paginate(
        Favourite.objects.filter(status=status).filter(_shown_accounts(me)).select_related("account"),
        params,
    )
    return with_link(Response(accounts_data([r.account for r in rows])), request, rows)


# --- media --------------------------------------------------------------------------------


def _focus(value) -> tuple[float, float] | None:
    if value in (None, ""):
        return None
    try:
        x, y = (float(part) for part in str(value).split(","))
    except ValueError:
        raise serializers.ValidationError({"focus": ["must be two numbers, x,y"]}) from None
    if not (-1 <= x <= 1 and -1 <= y <= 1):
        raise serializers.ValidationError({"focus": ["must be between -1 and 1"]})
    return x, y


class MediaCreateInput(serializers.Serializer):
    file = serializers.FileField()
    description = serializers.CharField(required=False, allow_blank=True, default="",
                                        max_length=MEDIA_DESCRIPTION_MAX_CHARS)
    focus = serializers.CharField(required=False, allow_blank=True)


@api_view(["POST"])
@permission_classes([scoped(write="write:media")])
def media_create(request):
    data = MediaCreateInput(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    media = services.media_create(
        account=viewer(request), file=values["file"], description=values["description"],
        focus=_focus(values.get("focus")) or (0.0, 0.0),
    )
    # Images are processed before we answer, so the attachment is ready (200, not 202).
    return Response(media_data(media))


class MediaUpdateInput(serializers.Serializer):
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=MEDIA_DESCRIPTION_MAX_CHARS,
    )
    focus = serializers.CharField(required=False, allow_blank=True)


@api_view(["GET", "PUT"])
@permission_classes([scoped("write:media", "write:media")])
def media_detail(request, media_id):
    me = viewer(request)
    # As Mastodon: one's own attachments, and only until they are posted.
    media = MediaAttachment.objects.filter(
        pk=int(media_id) if str(media_id).isdigit() else 0, account=me, status__isnull=True,
    ).first()
    if media is None:
        raise NotFoundError()
    if request.method == "PUT":
        data = MediaUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        media = services.media_update(
            media=media, description=data.validated_data.get("description"),
            focus=_focus(data.validated_data.get("focus")),
        )
    return Response(media_data(media))
