"""Mastodon's account-side entities: Account, CredentialAccount, Relationship, Application.
Counts and relationships for a page of accounts are computed in a few queries and handed
to the serializers through their context, never fetched per account."""

from django.conf import settings
from django.db.models import Count, Max, QuerySet
from django.db.models.signals import post_delete, post_save
from rest_framework import serializers

from accounts.models import Account, Follow, FollowRequest, Mute, User
from accounts.selectors import domains_blocked_by, relationships
from config import compiled_queries
from federation.memo import ExpiringLRU

from .oauth import OOB_REDIRECT_URI, registered_scopes

# Mastodon's role entity for people without a highlighted role.
EVERYONE_ROLE = {"id": "-99", "name": "", "permissions": "65536", "color": "", "highlighted": False}


def base_url() -> str:
    return f"{settings.LOCAL_SCHEME}://{settings.LOCAL_DOMAIN}"


def absolute_url(path_or_url: str) -> str:
    if path_or_url.startswith(("http://", "https://")):
        return path_or_url
    return f"{base_url()}{path_or_url}"


def file_url(field, default: str | None = None) -> str | None:
    if field:
        return absolute_url(field.url)
    return default


def iso(moment) -> str | None:
    if moment is None:
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _status_counts(*, ids: list[int]) -> QuerySet:
    Status = Account._meta.get_field("statuses").related_model
    return (
        Status.objects.filter(account__in=ids).exclude(visibility="direct").values("account")
        # COUNT(*): PostgreSQL then counts from the status_account_counts index alone.
        .annotate(n=Count("*"), last=Max("created_at")).values_list("account", "n", "last")
    )


def _follower_counts(*, ids: list[int]) -> QuerySet:
    return (
        Follow.objects.filter(target_account__in=ids).values("target_account")
        .annotate(n=Count("pk")).values_list("target_account", "n")
    )


def _following_counts(*, ids: list[int]) -> QuerySet:
    return (
        Follow.objects.filter(account__in=ids).values("account")
        .annotate(n=Count("pk")).values_list("account", "n")
    )


def account_counts(accounts: list[Account]) -> dict[int, tuple]:
    """(statuses, followers, following, last status date) for each account, in three
    queries compiled once per page size (config.compiled_queries). As Mastodon, direct
    messages count for neither: they would tell everyone that, and when, someone wrote in
    private."""
    ids = sorted({a.pk for a in accounts})
    if not ids:
        return {}
    statuses = {pk: (n, last) for pk, n, last in compiled_queries.rows(_status_counts, ids=ids)}
    followers = dict(compiled_queries.rows(_follower_counts, ids=ids))
    following = dict(compiled_queries.rows(_following_counts, ids=ids))
    return {
        pk: (statuses.get(pk, (0, None))[0], followers.get(pk, 0), following.get(pk, 0),
             statuses.get(pk, (0, None))[1])
        for pk in ids
    }


# Status authors' counts, per process: a page of statuses shows up to 40 authors, and their
# three COUNT queries cost PostgreSQL more than the rest of the page. A post, deletion or
# follow made in this process forgets the accounts it touches at once; one made in another
# process shows within AUTHOR_COUNTS_TTL seconds. The viewer's own counts are read fresh.
AUTHOR_COUNTS_TTL = 10
_author_counts = ExpiringLRU(maxsize=4096, ttl=AUTHOR_COUNTS_TTL)


def author_counts(accounts: list[Account], *, viewer: Account | None) -> dict[int, tuple]:
    """`account_counts` for the authors of a page of statuses, memoized as said above."""
    counts, missing = {}, []
    for account in accounts:
        known = None if viewer is not None and account.pk == viewer.pk else _author_counts.get(account.pk)
        if known is None:
            missing.append(account)
        else:
            counts[account.pk] = known
    loaded = account_counts(missing)
    for pk, value in loaded.items():
        _author_counts.put(pk, value)
    return {**counts, **loaded}


def _forget_author_counts(sender, instance, **kwargs) -> None:
    for pk in (getattr(instance, "account_id", None), getattr(instance, "target_account_id", None)):
        if pk is not None:
            _author_counts.forget(pk)


for _sender in ("statuses.Status", "accounts.Follow"):
    post_save.connect(_forget_author_counts, sender=_sender, dispatch_uid=f"author_counts.save.{_sender}")
    post_delete.connect(_forget_author_counts, sender=_sender, dispatch_uid=f"author_counts.delete.{_sender}")


class AccountOutput(serializers.Serializer):
    """Mastodon's Account. Context: `counts` from `account_counts` (computed if absent).
    Built as one dict rather than from declared fields: DRF's per-field machinery cost more
    than the rest of an API timeline's rendering."""

    def _counts(self, account) -> tuple:
        counts = self.context.setdefault("counts", {})
        if account.pk not in counts:
            counts.update(account_counts([account]))
        return counts[account.pk]

    def to_representation(self, account) -> dict:
        statuses, followers, following, last_status = self._counts(account)
        avatar = file_url(account.avatar, f"{base_url()}/avatars/original/missing.png")
        header = file_url(account.header, f"{base_url()}/headers/original/missing.png")
        return {
            "id": str(account.pk),
            "username": account.username,
            "acct": account.acct,
            "display_name": account.display_name,
            "locked": account.locked,
            "bot": account.bot,
            "discoverable": account.discoverable,
            "indexable": account.discoverable,
            "group": False,
            # Mastodon rounds to the day, so a profile does not reveal when exactly it was made.
            "created_at": iso(account.created_at.replace(hour=0, minute=0, second=0, microsecond=0)),
            "note": account.note_html if account.is_local else (account.note_html or account.note),
            "url": account.profile_url,
            "uri": account.activitypub_id,
            "avatar": avatar,
            "avatar_static": avatar,
            "header": header,
            "header_static": header,
            "followers_count": followers,
            "following_count": following,
            "statuses_count": statuses,
            "last_status_at": last_status.date().isoformat() if last_status else None,
            "hide_collections": False,
            "noindex": not account.discoverable,
            "emojis": [],
            "roles": [] if account.is_local else None,
            "fields": _profile_fields(account),
        }


def _profile_fields(account) -> list[dict]:
    return [
        {"name": f.get("name", ""), "value": f.get("value", ""), "verified_at": None}
        for f in account.fields or []
    ]


class CredentialAccountOutput(AccountOutput):
    """The viewer's own Account, with `source` (what the profile form edits) and `role`."""

    def to_representation(self, account) -> dict:
        user: User = account.user
        return {
            **super().to_representation(account),
            "source": {
                "privacy": user.default_visibility,
                "sensitive": False,
                "language": user.locale or None,
                "note": account.note,
                "fields": _profile_fields(account),
                "follow_requests_count": FollowRequest.objects.filter(target_account=account).count(),
                "indexable": account.discoverable,
                "discoverable": account.discoverable,
                "hide_collections": False,
                "attribution_domains": [],
            },
            "role": EVERYONE_ROLE,
        }


def relationships_output(*, viewer: Account, targets: list[Account]) -> list[dict]:
    """Mastodon's Relationship for each target, in order, in a bounded number of queries."""
    found = relationships(viewer=viewer, targets=targets)
    ids = [t.pk for t in targets]
    follows = {
        f.target_account_id: f
        for f in Follow.objects.filter(account=viewer, target_account__in=ids)
    }
    requests = {
        r.target_account_id: r
        for r in FollowRequest.objects.filter(account=viewer, target_account__in=ids)
    }
    requested_by = set(
        FollowRequest.objects.filter(target_account=viewer, account__in=ids).values_list(
            "account", flat=True,
        )
    )
    mutes = {
        m.target_account_id: m for m in Mute.objects.active().filter(account=viewer, target_account__in=ids)
    }
    blocked_domains = set(
        domains_blocked_by(viewer).filter(domain__in={t.domain for t in targets if t.domain})
    )
    output = []
    for target in targets:
        rel = found[target.pk]
        follow = follows.get(target.pk) or requests.get(target.pk)
        mute = mutes.get(target.pk)
        output.append({
            "id": str(target.pk),
            "following": rel.following,
            "showing_reblogs": follow.show_reblogs if follow else False,
            "notifying": follow.notify if follow else False,
            "languages": None,
            "followed_by": rel.followed_by,
            "blocking": rel.blocking,
            "blocked_by": rel.blocked_by,
            "muting": rel.muting,
            "muting_notifications": bool(mute and mute.hide_notifications),
            "muting_expires_at": iso(mute.expires_at) if mute else None,
            "requested": rel.requested,
            "requested_by": target.pk in requested_by,
            "domain_blocking": target.domain in blocked_domains,
            "endorsed": False,
            "note": "",
        })
    return output


class ApplicationOutput(serializers.Serializer):
    """Mastodon's Application; with `secret` in the context, its CredentialApplication."""

    id = serializers.CharField()
    name = serializers.CharField()
    website = serializers.SerializerMethodField()
    scopes = serializers.SerializerMethodField()
    redirect_uri = serializers.SerializerMethodField()
    redirect_uris = serializers.SerializerMethodField()
    vapid_key = serializers.SerializerMethodField()

    def get_website(self, app) -> str | None:
        registration = getattr(app, "registration", None)
        return (registration.website or None) if registration else None

    def get_scopes(self, app) -> list[str]:
        return registered_scopes(app)

    def get_redirect_uri(self, app) -> str:
        return "\n".join(app.redirect_uris.split()) or OOB_REDIRECT_URI

    def get_redirect_uris(self, app) -> list[str]:
        return app.redirect_uris.split()

    def get_vapid_key(self, app) -> str:
        # No Web Push yet: Mastodon documents the key as always present.
        return ""

    def to_representation(self, app):
        data = super().to_representation(app)
        if "secret" in self.context:
            data["client_id"] = app.client_id
            data["client_secret"] = self.context["secret"]
            data["client_secret_expires_at"] = 0
        return data
