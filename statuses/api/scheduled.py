"""Scheduled statuses in Mastodon's client API: `POST /api/v1/statuses` with `scheduled_at`
answers a ScheduledStatus; `/api/v1/scheduled_statuses` lists, moves and cancels one's own
(anyone else's id is a 404, as a missing one)."""

from datetime import UTC

from django.utils.dateparse import parse_datetime
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from accounts.api.auth import scoped, viewer
from accounts.api.paging import page_params, paginate, with_link
from accounts.api.serializers import iso
from accounts.models import Account
from config.errors import NotFoundError
from statuses.models import MediaAttachment, ScheduledStatus
from statuses.scheduled import scheduled_status_delete, scheduled_status_update

from .serializers import MediaAttachmentOutput


def parse_scheduled_at(value: str):
    """An ISO 8601 date-time (UTC when it names no offset), or a 422."""
    try:
        parsed = parse_datetime(str(value).strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise serializers.ValidationError({"scheduled_at": ["is not an ISO 8601 date-time"]})
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def scheduled_statuses_data(rows: list[ScheduledStatus]) -> list[dict]:
    """Mastodon's ScheduledStatus entities, their reserved media loaded in one query."""
    media: dict[int, list[MediaAttachment]] = {}
    for item in MediaAttachment.objects.filter(scheduled_status__in=[r.pk for r in rows]):
        media.setdefault(item.scheduled_status_id, []).append(item)
    output = []
    for row in rows:
        params = row.params
        # The order chosen when scheduling, not the attachments' upload order.
        order = {int(i): n for n, i in enumerate(params.get("media_ids") or [])}
        attached = sorted(media.get(row.pk, []), key=lambda m: order.get(m.pk, 0))
        output.append({
            "id": str(row.pk),
            "scheduled_at": iso(row.scheduled_at),
            "params": {
                "text": params["text"], "visibility": params["visibility"],
                "spoiler_text": params.get("spoiler_text") or None,
                "sensitive": params.get("sensitive", False), "language": params.get("language"),
                "in_reply_to_id": params.get("in_reply_to_id"), "media_ids": params.get("media_ids"),
                "poll": params.get("poll"), "idempotency": params.get("idempotency"),
                "application_id": params.get("application_id"), "scheduled_at": None,
                "with_rate_limit": False,
            },
            "media_attachments": MediaAttachmentOutput(attached, many=True).data,
        })
    return output


def _access_scheduled(me: Account, scheduled_id) -> ScheduledStatus:
    scheduled = ScheduledStatus.objects.filter(
        pk=int(scheduled_id) if str(scheduled_id).isdigit() else 0, account=me,
    ).first()
    if scheduled is None:
        raise NotFoundError()
    return scheduled


@api_view(["GET"])
@permission_classes([scoped("read:statuses")])
def scheduled_statuses(request):
    params = page_params(request, default=20, maximum=40)
    rows = paginate(ScheduledStatus.objects.filter(account=viewer(request)), params)
    return with_link(Response(scheduled_statuses_data(rows)), request, rows)


class ScheduledUpdateInput(serializers.Serializer):
    scheduled_at = serializers.CharField()


@api_view(["GET", "PUT", "DELETE"])
@permission_classes([scoped("read:statuses", "write:statuses")])
def scheduled_status_detail(request, scheduled_id):
    me = viewer(request)
    scheduled = _access_scheduled(me, scheduled_id)
    if request.method == "DELETE":
        scheduled_status_delete(scheduled=scheduled, by=me)
        return Response({})
    if request.method == "PUT":
        data = ScheduledUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        scheduled = scheduled_status_update(
            scheduled=scheduled, by=me, scheduled_at=parse_scheduled_at(data.validated_data["scheduled_at"]),
        )
    return Response(scheduled_statuses_data([scheduled])[0])
