"""Our actors, objects and collections as ActivityPub documents. AP clients get JSON,
browsers the HTML page. Every status listed or shown passes the one visibility rule for
the requester (the signer of the GET, or nobody)."""

from django.conf import settings
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from accounts.models import Account, Follow
from config.errors import NotFoundError
from federation.activitypub.activities import render_announce, render_create
from federation.activitypub.actors import (
    instance_actor_id,
    render_actor,
    render_featured_tag,
    render_instance_actor,
)
from federation.activitypub.collections import render_collection, render_page
from federation.activitypub.common import absolute_media_url
from federation.activitypub.notes import render_note, render_tombstone, with_context
from federation.models import Tombstone
from federation.services.actors import instance_actor
from statuses.models import FeaturedTag, Status
from statuses.permissions import access_status, visible_statuses

from .common import activity_response, error_response, requester, wants_activitypub

PAGE_SIZE = 20


def local_account_or_404(username: str) -> Account:
    account = (
        Account.objects.local().annotate(lower=Lower("username"))
        .filter(lower=username.lower()).first()
    )
    if account is None or account.is_suspended:
        raise Http404
    return account


def note_queryset():
    return Status.objects.select_related(
        "account", "in_reply_to__account", "reblog__account", "poll",
    ).prefetch_related("mentions__account", "tags", "media")


def actor_document(account: Account) -> dict:
    """A local account's actor document; its key pair is made now if the task has not yet."""
    if not account.public_key:
        from accounts.services import account_keys_ensure

        account_keys_ensure(account_id=account.pk)
        account.refresh_from_db()
    from accounts.moves import also_known_as

    return render_actor(
        account,
        avatar_url=absolute_media_url(account.avatar.url) if account.avatar else "",
        header_url=absolute_media_url(account.header.url) if account.header else "",
        also_known_as=also_known_as(account),
        moved_to=account.moved_to_account.activitypub_id if account.moved_to_account_id else "",
    )


@require_GET
def actor(request, username):
    account = local_account_or_404(username)
    if not wants_activitypub(request):
        return redirect(account.get_absolute_url())
    return activity_response(actor_document(account))


@require_GET
def instance(request):
    # Never behind AUTHORIZED_FETCH: peers fetch it to verify our signed requests.
    return activity_response(render_instance_actor(
        public_key=instance_actor().public_key, domain=settings.LOCAL_DOMAIN,
    ))


@require_GET
def instance_outbox(request):
    return activity_response(render_collection(
        collection_id=f"{instance_actor_id()}/outbox", total=0, items=[],
    ))


def _status_or_gone(request, username, status_id, *, reblog: bool):
    account = local_account_or_404(username)
    who = requester(request)
    if who.refused:
        return None, error_response(who.refused, 401 if not who.account else 403)
    try:
        status = access_status(viewer=who.account, status_id=status_id)
    except NotFoundError:
        status = None
    wrong_kind = status is not None and reblog is not None and bool(status.reblog_id) != reblog
    if status is None or status.account_id != account.pk or wrong_kind:
        uri = f"{account.activitypub_id}/statuses/{status_id}"
        if Tombstone.objects.filter(uri=uri).exists():
            return None, activity_response(render_tombstone(uri), status=410)
        return None, error_response("Not found.", 404)
    return note_queryset().get(pk=status.pk), None


@require_GET
def status_object(request, username, status_id):
    if not wants_activitypub(request):
        return redirect(f"/@{username}/{status_id}")
    status, refusal = _status_or_gone(request, username, status_id, reblog=False)
    return refusal or activity_response(with_context(render_note(status)))


@require_GET
def status_activity(request, username, status_id):
    status, refusal = _status_or_gone(request, username, status_id, reblog=None)
    if refusal:
        return refusal
    return activity_response(render_announce(status) if status.reblog_id else render_create(status))


@require_GET
def status_replies(request, username, status_id):
    """Replies to a status, each as the requester may see it (ids only, as Mastodon)."""
    status, refusal = _status_or_gone(request, username, status_id, reblog=False)
    if refusal:
        return refusal
    who = requester(request)
    replies = visible_statuses(who.account, Status.objects.filter(in_reply_to=status))
    replies = replies.select_related("account")
    collection_id = f"{status.activitypub_id}/replies"
    items = [r.activitypub_id for r in replies.order_by("id")[:PAGE_SIZE]]
    if request.GET.get("page") != "true":
        return activity_response(render_collection(
            collection_id=collection_id, total=None, first=f"{collection_id}?page=true",
        ))
    return activity_response(render_page(
        page_id=f"{collection_id}?page=true", collection_id=collection_id, items=items,
    ))


@require_GET
def outbox(request, username):
    account = local_account_or_404(username)
    who = requester(request)
    if who.refused:
        return error_response(who.refused, 401 if not who.account else 403)
    collection_id = f"{account.activitypub_id}/outbox"
    statuses = visible_statuses(who.account, Status.objects.filter(account=account))
    if request.GET.get("page") != "true":
        return activity_response(render_collection(
            collection_id=collection_id, total=statuses.count(), first=f"{collection_id}?page=true",
        ))
    statuses = statuses.order_by("-id")
    max_id = request.GET.get("max_id", "")
    if max_id.isdigit():
        statuses = statuses.filter(id__lt=int(max_id))
    page = list(note_queryset().filter(pk__in=[s.pk for s in statuses[:PAGE_SIZE]]).order_by("-id"))
    items = [
        {k: v for k, v in (render_announce(s) if s.reblog_id else render_create(s)).items()
         if k != "@context"}
        for s in page
    ]
    next_url = f"{collection_id}?max_id={page[-1].id}&page=true" if len(page) == PAGE_SIZE else None
    return activity_response(render_page(
        page_id=request.build_absolute_uri(), collection_id=collection_id, items=items,
        next_url=next_url,
    ))


def _people(request, username, kind: str):
    account = local_account_or_404(username)
    who = requester(request)
    if who.refused:
        return error_response(who.refused, 401 if not who.account else 403)
    collection_id = f"{account.activitypub_id}/{kind}"
    if kind == "followers":
        follows = Follow.objects.filter(target_account=account, account__suspended_at__isnull=True)
        person = "account"
    else:
        follows = Follow.objects.filter(account=account, target_account__suspended_at__isnull=True)
        person = "target_account"
    page_number = request.GET.get("page", "")
    if not page_number.isdigit() or int(page_number) < 1:
        return activity_response(render_collection(
            collection_id=collection_id, total=follows.count(), first=f"{collection_id}?page=1",
        ))
    number = int(page_number)
    start = (number - 1) * PAGE_SIZE
    rows = list(follows.select_related(person).order_by("-id")[start:start + PAGE_SIZE + 1])
    items = [getattr(f, person).activitypub_id for f in rows[:PAGE_SIZE]]
    return activity_response(render_page(
        page_id=f"{collection_id}?page={number}", collection_id=collection_id, items=items,
        total=follows.count(),
        next_url=f"{collection_id}?page={number + 1}" if len(rows) > PAGE_SIZE else None,
        prev_url=f"{collection_id}?page={number - 1}" if number > 1 else None,
    ))


@require_GET
def followers(request, username):
    return _people(request, username, "followers")


@require_GET
def following(request, username):
    return _people(request, username, "following")


@require_GET
def featured(request, username):
    account = local_account_or_404(username)
    who = requester(request)
    if who.refused:
        return error_response(who.refused, 401 if not who.account else 403)
    pinned = visible_statuses(who.account, Status.objects.filter(pins__account=account))
    notes = [render_note(s) for s in note_queryset().filter(pk__in=pinned.values("pk")).order_by("-id")]
    return activity_response(render_collection(
        collection_id=f"{account.activitypub_id}/collections/featured", total=len(notes), items=notes,
    ))


@require_GET
def featured_tags(request, username):
    """The hashtags the account features on its profile, each linking to its posts with it."""
    account = local_account_or_404(username)
    who = requester(request)
    if who.refused:
        return error_response(who.refused, 401 if not who.account else 403)
    featured = FeaturedTag.objects.filter(account=account).select_related("tag").order_by("created_at", "pk")
    items = [
        render_featured_tag(name=f.tag.name, href=f"{account.profile_url}/tagged/{f.tag.name.lower()}")
        for f in featured
    ]
    return activity_response(render_collection(
        collection_id=f"{account.activitypub_id}/collections/tags", total=len(items), items=items,
    ))
