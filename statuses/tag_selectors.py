"""Reads about followed and featured hashtags: who follows or features what, a profile's
featured tags with their use, and the tags someone uses most."""

from django.db.models import Count, F, Max, Q, QuerySet

from accounts.models import Account

from .models import FeaturedTag, Status, Tag, TagFollow, Visibility
from .permissions import PUBLIC_VISIBILITIES

FEATURED_TAG_SUGGESTIONS = 10
# Suggestions look at this many of one's latest posts (Mastodon reads a recent window too).
SUGGESTIONS_RECENT_STATUSES = 1000


def tags_known_to(viewer: Account | None) -> QuerySet:
    """Tags used in a post the viewer may see (statuses.selectors.tags_visible_to), and those
    it follows or features: it knows these exist. Any other answers like a name never used."""
    from .selectors import tags_visible_to

    known = tags_visible_to(viewer)
    if viewer is not None:
        known = known | Tag.objects.filter(Q(follows__account=viewer) | Q(featured_by__account=viewer))
    return known.distinct()


def tag_follows_of(*, account: Account) -> QuerySet:
    """The account's followed hashtags, as TagFollow rows (paged by their id) with the tag."""
    return TagFollow.objects.filter(account=account).select_related("tag")


def tag_flags(*, viewer: Account | None, tag_ids: list[int]) -> tuple[set[int], set[int]]:
    """(followed, featured): which of these tags the viewer follows and features."""
    if viewer is None:
        return set(), set()
    followed = set(TagFollow.objects.filter(account=viewer, tag__in=tag_ids).values_list("tag", flat=True))
    featured = set(FeaturedTag.objects.filter(account=viewer, tag__in=tag_ids).values_list("tag", flat=True))
    return followed, featured


def featured_tags_of(*, account: Account) -> list[FeaturedTag]:
    """A profile's featured tags, oldest first, each with `statuses_count` and
    `last_status_at` from the account's public and unlisted posts carrying it."""
    own_posts = Q(
        tag__statuses__account=F("account"), tag__statuses__visibility__in=PUBLIC_VISIBILITIES,
        tag__statuses__reblog__isnull=True,
    )
    return list(
        FeaturedTag.objects.filter(account=account).select_related("tag", "account")
        .annotate(
            statuses_count=Count("tag__statuses", filter=own_posts, distinct=True),
            last_status_at=Max("tag__statuses__created_at", filter=own_posts),
        )
        .order_by("created_at", "pk")
    )


def featured_tag_suggestions(*, account: Account) -> list[Tag]:
    """The hashtags the account used most in its recent posts that it does not feature yet
    (only the account itself sees these, so its private posts count too)."""
    recent = (
        Status.objects.filter(account=account, reblog__isnull=True)
        .exclude(visibility=Visibility.DIRECT).order_by("-id")[:SUGGESTIONS_RECENT_STATUSES]
    )
    featured = FeaturedTag.objects.filter(account=account).values("tag")
    return list(
        Tag.objects.filter(statuses__in=recent.values("pk")).exclude(pk__in=featured)
        .annotate(uses=Count("statuses")).order_by("-uses", "name")[:FEATURED_TAG_SUGGESTIONS]
    )
