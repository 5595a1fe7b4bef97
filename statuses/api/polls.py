"""Polls: made with a status, voted on by people who may see it, rendered as Mastodon's
Poll entity with the viewer's own votes. A page's polls cost three queries."""

from django.db import IntegrityError, transaction
from django.db.models import Count
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from accounts.api.auth import scoped, viewer
from accounts.api.serializers import iso
from accounts.models import Account
from config import compiled_queries
from config.errors import NotFoundError
from statuses.models import Poll, PollVote, Status
from statuses.permissions import is_visible_to
from statuses.polls import POLL_OPTION_MAX_CHARS, PollError


class PollInput(serializers.Serializer):
    options = serializers.ListField(child=serializers.CharField(max_length=POLL_OPTION_MAX_CHARS,
                                                                 allow_blank=True))
    expires_in = serializers.IntegerField()
    multiple = serializers.BooleanField(default=False)
    hide_totals = serializers.BooleanField(default=False)


def poll_input(request) -> dict | None:
    """The `poll` of a status request, as JSON or the form fields `poll[options][]` …."""
    data = request.data
    if isinstance(data.get("poll"), dict):
        raw = data["poll"]
    elif hasattr(data, "getlist") and data.getlist("poll[options][]"):
        raw = {"options": data.getlist("poll[options][]"), "expires_in": data.get("poll[expires_in]")}
        for name in ("multiple", "hide_totals"):
            if data.get(f"poll[{name}]") is not None:
                raw[name] = data.get(f"poll[{name}]")
    elif data.get("poll") in (None, ""):
        return None
    else:
        raise serializers.ValidationError({"poll": ["must be an object"]})
    parsed = PollInput(data=raw)
    parsed.is_valid(raise_exception=True)
    return parsed.validated_data


@transaction.atomic
def poll_vote(*, account: Account, poll: Poll, choices: list[int]) -> None:
    """Vote once in a poll of a status one may see, before it closes, not in one's own."""
    if not is_visible_to(poll.status, account):
        raise NotFoundError()
    if poll.expired:
        raise PollError("The poll has already ended")
    if poll.status.account_id == account.pk:
        raise PollError("You cannot vote in your own poll")
    choices = sorted(set(choices))
    if not choices or any(c < 0 or c >= len(poll.options) for c in choices):
        raise PollError("Choose among the poll's options")
    if len(choices) > 1 and not poll.multiple:
        raise PollError("This poll allows one choice")
    if PollVote.objects.filter(poll=poll, account=account).exists():
        raise PollError("You have already voted on this poll")
    try:
        with transaction.atomic():
            PollVote.objects.bulk_create([PollVote(poll=poll, account=account, choice=c) for c in choices])
    except IntegrityError:
        raise PollError("You have already voted on this poll") from None


def _polls_of(ids):
    return Poll.objects.filter(status__in=ids).select_related("status")


def polls_data(statuses: list[Status], viewer: Account | None) -> dict[int, dict]:
    """Poll entities of a page, keyed by status id."""
    ids = sorted({s.pk for s in statuses} | {s.reblog_id for s in statuses if s.reblog_id})
    if not ids:
        return {}
    # Compiled once per shape: on a page with no poll this is all that is asked.
    polls = compiled_queries.instances(_polls_of, ids=ids)
    if not polls:
        return {}
    poll_ids = [p.pk for p in polls]
    tallies: dict[int, dict[int, int]] = {}
    for row in PollVote.objects.filter(poll__in=poll_ids).values("poll", "choice").annotate(n=Count("pk")):
        tallies.setdefault(row["poll"], {})[row["choice"]] = row["n"]
    voters = {
        row["poll"]: row["n"]
        for row in PollVote.objects.filter(poll__in=poll_ids).values("poll").annotate(
            n=Count("account", distinct=True))
    }
    own: dict[int, list[int]] = {}
    if viewer is not None:
        for poll_id, choice in PollVote.objects.filter(poll__in=poll_ids, account=viewer).values_list(
            "poll", "choice",
        ):
            own.setdefault(poll_id, []).append(choice)
    return {p.status_id: poll_data(p, tallies.get(p.pk, {}), voters.get(p.pk, 0), own, viewer) for p in polls}


def poll_data(poll: Poll, tally: dict[int, int], voters: int, own: dict, viewer) -> dict:
    if poll.tallies is not None:  # a remote poll: its server's counts
        counts = [int(n) for n in poll.tallies] + [0] * (len(poll.options) - len(poll.tallies))
        voters = poll.voters_count if poll.voters_count is not None else voters
    else:
        counts = [tally.get(i, 0) for i in range(len(poll.options))]
    # As Mastodon: totals hidden until the poll ends, unless one is its author.
    hidden = poll.hide_totals and not poll.expired and (viewer is None or viewer.pk != poll.status.account_id)
    data = {
        "id": str(poll.pk), "expires_at": iso(poll.expires_at), "expired": poll.expired,
        "multiple": poll.multiple, "votes_count": sum(counts),
        "voters_count": voters if poll.multiple else None,
        "options": [
            {"title": title, "votes_count": None if hidden else counts[i]}
            for i, title in enumerate(poll.options)
        ],
        "emojis": [],
    }
    if viewer is not None:
        data["voted"] = poll.pk in own or poll.status.account_id == viewer.pk
        data["own_votes"] = sorted(own.get(poll.pk, []))
    return data


def access_poll(viewer_account: Account | None, poll_id) -> Poll:
    poll = Poll.objects.filter(pk=int(poll_id) if str(poll_id).isdigit() else 0).select_related(
        "status",
    ).first()
    if poll is None or not is_visible_to(poll.status, viewer_account):
        raise NotFoundError()
    return poll


@api_view(["GET"])
@permission_classes([scoped("read:statuses", public=True)])
def poll_detail(request, poll_id):
    me = viewer(request)
    poll = access_poll(me, poll_id)
    return Response(polls_data([poll.status], me)[poll.status_id])


class VoteInput(serializers.Serializer):
    choices = serializers.ListField(child=serializers.IntegerField(min_value=0), allow_empty=False)

    def to_internal_value(self, data):
        if hasattr(data, "getlist") and data.getlist("choices[]"):
            data = {"choices": data.getlist("choices[]")}
        return super().to_internal_value(data)


@api_view(["POST"])
@permission_classes([scoped(write="write:statuses")])
def poll_votes(request, poll_id):
    me = viewer(request)
    poll = access_poll(me, poll_id)
    data = VoteInput(data=request.data)
    data.is_valid(raise_exception=True)
    poll_vote(account=me, poll=poll, choices=data.validated_data["choices"])
    return Response(polls_data([poll.status], me)[poll.status_id])
