"""Web pages for statuses: the landing page, timelines, compose, status pages and the buttons
on a status card, profiles, notifications. Thin: parse, call a selector or a service,
render. What a viewer may not see is a 404, exactly like what does not exist."""

from functools import wraps
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Account, Follow, ServerRule, SiteSettings
from accounts.selectors import account_get_by_acct
from accounts.services import notifications_mark_read
from config.errors import ApplicationError, NotFoundError

from .forms import ComposeForm, EditForm
from .models import Status, TagFollow, Visibility
from .permissions import access_status
from .selectors import (
    PAGE_SIZE,
    account_pinned_statuses,
    account_statuses,
    bookmarks_list,
    favourites_list,
    notifications_list,
    status_context,
    timeline_federated,
    timeline_home,
    timeline_local,
    timeline_tag,
    viewer_state,
)
from .services import (
    bookmark_create,
    bookmark_remove,
    favourite_create,
    favourite_remove,
    media_create,
    pin_create,
    pin_remove,
    reblog_create,
    reblog_remove,
    status_create,
    status_delete,
    status_edit,
)
from .tag_selectors import featured_tags_of, tags_known_to

LANDING_RECENT_POSTS = 5

# --- helpers ------------------------------------------------------------------------------


def _viewer(request) -> Account | None:
    # An operator's superuser made with `createsuperuser` has no Account: a visitor here.
    return getattr(request.user, "account", None) if request.user.is_authenticated else None


def _max_id(request) -> int | None:
    value = request.GET.get("max_id", "")
    return int(value) if value.isdigit() else None


def _access_or_404(viewer: Account | None, status_id) -> Status:
    try:
        return access_status(viewer=viewer, status_id=status_id)
    except NotFoundError:
        raise Http404 from None


def _own_status_or_404(request, status_id) -> Status:
    status = _access_or_404(_viewer(request), status_id)
    if status.account_id != request.user.account.pk or status.reblog_id:
        raise Http404
    return status


def _safe_next(request, fallback: str) -> str:
    """Where a POST button goes back to: its `next` field or the referring page, if on this site."""
    for candidate in (
        request.POST.get("next"), request.GET.get("next"), request.META.get("HTTP_REFERER"),
    ):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure(),
        ):
            return candidate
    return fallback


def _render_statuses(request, template, statuses, *, also_shown=(), paged=True, **context):
    """Render a page of statuses with what the viewer did to them, computed once per page;
    `also_shown` are statuses outside the paged list (pinned posts, a thread's ancestors)."""
    shown = [*also_shown, *statuses]
    # The "in reply to" line of a boosted reply names the account; one query for the page.
    prefetch_related_objects([s.reblog for s in shown if s.reblog_id], "in_reply_to_account")
    context.update(
        statuses=statuses,
        state=viewer_state(viewer=_viewer(request), statuses=shown),
        older_max_id=statuses[-1].pk if paged and len(statuses) >= PAGE_SIZE else None,
    )
    return render(request, template, context)


# --- landing and timelines ----------------------------------------------------------------


def landing(request):
    if request.user.is_authenticated:
        return redirect("statuses:home")
    site = SiteSettings.current()
    return _render_statuses(
        request, "landing.html", timeline_local(viewer=None, limit=LANDING_RECENT_POSTS),
        rules=ServerRule.objects.all(), registration_mode=site.registration_mode,
        users_count=Account.objects.local().not_suspended().filter(user__is_active=True).count(),
        posts_count=Status.objects.local().without_reblogs().count(),
    )


@login_required
def home(request):
    statuses = timeline_home(viewer=request.user.account, max_id=_max_id(request))
    form = ComposeForm(user=request.user)
    return _render_statuses(request, "statuses/home.html", statuses, form=form)


def local(request):
    statuses = timeline_local(viewer=_viewer(request), max_id=_max_id(request))
    return _render_statuses(request, "statuses/timeline.html", statuses, timeline="local")


def federated(request):
    statuses = timeline_federated(viewer=_viewer(request), max_id=_max_id(request))
    return _render_statuses(request, "statuses/timeline.html", statuses, timeline="federated")


SEARCH_RESULTS = 20


def _search_looks_remote(query: str) -> bool:
    """`@user@domain`, `user@domain` or an https URL: what federation's resolver takes."""
    if query.startswith("https://"):
        return True
    return "@" in query.lstrip("@") and " " not in query


def search(request):
    """The web search, as Mastodon's: `@user@domain` or a profile or post URL is resolved
    through federation (logged-in users only: it fetches from other servers); plain words
    find known accounts and hashtags. The API's search functions, so both agree."""
    from .api.discovery import SEARCH_MAX_QUERY, resolve_remote, search_accounts, search_hashtags

    query = request.GET.get("q", "").strip()[:SEARCH_MAX_QUERY]
    viewer = _viewer(request)
    accounts, hashtags, statuses = [], [], []
    remote = bool(query) and _search_looks_remote(query)
    if remote and viewer is not None:
        found = resolve_remote(viewer, query)
        if isinstance(found, Account):
            accounts = [found]
        elif isinstance(found, Status):
            statuses = [found]
    elif remote:
        # A visitor only finds what this server already knows: no fetching on their behalf.
        accounts = search_accounts(None, query, 1)
    elif query:
        accounts = search_accounts(viewer, query, SEARCH_RESULTS)
        hashtags = search_hashtags(viewer, query, SEARCH_RESULTS)
    from accounts.selectors import relationships

    # One batch of relationship queries for the follow buttons, not one per row.
    known = relationships(viewer=viewer, targets=accounts) if viewer and accounts else {}
    return _render_statuses(
        request, "statuses/search.html", statuses, paged=False, query=query, remote=remote,
        rows=[(person, known.get(person.pk)) for person in accounts], hashtags=hashtags,
    )


def tag(request, name):
    viewer = _viewer(request)
    found = tags_known_to(viewer).filter(name__iexact=name).first()
    if found is None:
        raise Http404
    statuses = timeline_tag(viewer=viewer, tag=found, max_id=_max_id(request))
    following = viewer is not None and TagFollow.objects.filter(account=viewer, tag=found).exists()
    return _render_statuses(
        request, "statuses/timeline.html", statuses, timeline="tag", tag=found, following_tag=following,
    )


@login_required
def bookmarks(request):
    statuses = bookmarks_list(viewer=request.user.account, max_id=_max_id(request))
    return _render_statuses(request, "statuses/timeline.html", statuses, timeline="bookmarks")


@login_required
def favourites(request):
    statuses = favourites_list(viewer=request.user.account, max_id=_max_id(request))
    return _render_statuses(request, "statuses/timeline.html", statuses, timeline="favourites")


@login_required
def notifications(request):
    items = notifications_list(viewer=request.user.account, max_id=_max_id(request))
    last_read_id = request.user.last_read_notification_id
    if items:
        notifications_mark_read(user=request.user, up_to_id=items[0].pk)
        # The navigation's unread count is computed while rendering: from the new mark.
        request.user.refresh_from_db(fields=["last_read_notification_id"])
    return render(request, "statuses/notifications.html", {
        "notifications": items, "last_read_id": last_read_id,
        "older_max_id": items[-1].pk if len(items) >= PAGE_SIZE else None,
    })


# --- compose, edit, delete ----------------------------------------------------------------


def _post_status(*, author: Account, form: ComposeForm, in_reply_to: Status | None) -> Status:
    """Store the images and the status together: if anything is refused, nothing stays."""
    created = []
    try:
        with transaction.atomic():
            for field, upload, description in form.uploads():
                try:
                    created.append(media_create(account=author, file=upload, description=description))
                except ApplicationError as error:
                    error.field = field
                    raise
            return status_create(
                author=author, in_reply_to=in_reply_to, media_ids=[m.pk for m in created],
                **form.status_kwargs(),
            )
    except ApplicationError:
        # The rollback removed the rows; the files written to storage go by hand.
        for media in created:
            media.file.delete(save=False)
            media.thumbnail.delete(save=False)
        raise


@login_required
@require_http_methods(["GET", "POST"])
def compose(request):
    reply_to_id = request.POST.get("in_reply_to") or request.GET.get("in_reply_to")
    in_reply_to = _access_or_404(request.user.account, reply_to_id) if reply_to_id else None
    if in_reply_to is not None and in_reply_to.reblog_id:
        in_reply_to = in_reply_to.reblog  # a reply goes to the post, not to its boost
    form = ComposeForm(
        request.POST or None, request.FILES or None, user=request.user, in_reply_to=in_reply_to,
    )
    if request.method == "POST" and form.is_valid():
        try:
            _post_status(author=request.user.account, form=form, in_reply_to=in_reply_to)
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your post is published."))
            return redirect(_safe_next(request, fallback="statuses:home"))
    return render(request, "statuses/compose.html", {
        "form": form, "in_reply_to": in_reply_to,
        "state": viewer_state(viewer=request.user.account, statuses=[in_reply_to] if in_reply_to else []),
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, status_id):
    status = _own_status_or_404(request, status_id)
    form = EditForm(request.POST or None, status=status)
    if request.method == "POST" and form.is_valid():
        try:
            status_edit(status=status, by=request.user.account, **form.status_kwargs())
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your post is updated."))
            return redirect(status)
    return render(
        request, "statuses/edit.html", {"form": form, "status": status},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, status_id):
    """GET asks for confirmation (works without JavaScript); POST deletes."""
    status = _own_status_or_404(request, status_id)
    back = _safe_next(request, fallback=status.account.get_absolute_url())
    if request.method == "POST":
        # Going back to the page of the deleted post would be a 404.
        if urlsplit(back).path == status.get_absolute_url():
            back = status.account.get_absolute_url()
        status_delete(status=status, by=request.user.account)
        messages.success(request, _("Your post is deleted."))
        return redirect(back)
    return render(request, "statuses/delete.html", {
        "status": status, "next": back,
        "state": viewer_state(viewer=request.user.account, statuses=[status]),
    })


# --- the buttons on a status card ---------------------------------------------------------


def _status_action(service):
    """A POST button on a status card: find the status (404 if the user may not see it),
    call `service`, go back to where the button was, with the refusal if any."""

    @login_required
    @require_POST
    @wraps(service)
    def view(request, status_id):
        status = _access_or_404(request.user.account, status_id)
        try:
            service(account=request.user.account, status=status)
        except NotFoundError:
            raise Http404 from None
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect(_safe_next(request, fallback=status.get_absolute_url()))

    return view


reblog = _status_action(reblog_create)
unreblog = _status_action(reblog_remove)
favourite = _status_action(favourite_create)
unfavourite = _status_action(favourite_remove)
bookmark = _status_action(bookmark_create)
unbookmark = _status_action(bookmark_remove)
pin = _status_action(pin_create)
unpin = _status_action(pin_remove)


# --- status pages -------------------------------------------------------------------------


def _status_for_url(request, acct: str, status_id: int) -> Status:
    status = _access_or_404(_viewer(request), status_id)
    if status.account.acct.lower() != acct.lower():
        raise Http404
    return status


def status(request, acct, status_id):
    focal = _status_for_url(request, acct, status_id)
    if focal.reblog_id:
        # A boost has no page of its own: show the post it boosts (checked again there).
        return redirect(focal.reblog)
    ancestors, descendants = status_context(viewer=_viewer(request), status=focal)
    return _render_statuses(
        request, "statuses/status.html", descendants, also_shown=[*ancestors, focal],
        paged=False, focal=focal, ancestors=ancestors,
        form=ComposeForm(user=request.user, in_reply_to=focal) if _viewer(request) else None,
    )


def status_history(request, acct, status_id):
    focal = _status_for_url(request, acct, status_id)
    return render(request, "statuses/history.html", {
        "status": focal, "edits": list(reversed(focal.edits.all())),
    })


# --- profiles -----------------------------------------------------------------------------


def _profile(request, acct: str, tab: str, tagged: str | None = None):
    try:
        account = account_get_by_acct(acct=acct)
    except NotFoundError:
        raise Http404 from None
    viewer, max_id = _viewer(request), _max_id(request)
    statuses = account_statuses(viewer=viewer, account=account, tab=tab, max_id=max_id, tagged=tagged)
    pinned = (
        account_pinned_statuses(viewer=viewer, account=account)
        if tab == "posts" and not max_id and tagged is None else []
    )
    return _render_statuses(
        request, "statuses/profile.html", statuses, also_shown=pinned, account=account,
        pinned=pinned, tab=tab, tagged=tagged, featured_tags=featured_tags_of(account=account),
        posts_count=account.statuses.exclude(visibility=Visibility.DIRECT).count(),
        following_count=Follow.objects.filter(account=account).count(),
        followers_count=Follow.objects.filter(target_account=account).count(),
    )


def profile(request, acct):
    return _profile(request, acct, "posts")


def profile_replies(request, acct):
    return _profile(request, acct, "replies")


def profile_media(request, acct):
    return _profile(request, acct, "media")


def profile_tagged(request, acct, tag_name):
    return _profile(request, acct, "tagged", tagged=tag_name)
