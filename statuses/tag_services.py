"""Every change to followed and featured hashtags, whoever asks (web, API): following a
hashtag brings its public posts into the home feed; featuring one shows it on the profile
and tells followers' servers (an Update of the actor, whose `featuredTags` lists them)."""

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Account
from config.errors import ApplicationError, NotFoundError

from .models import FeaturedTag, Tag, TagFollow

FEATURED_TAGS_MAX = 10
TAG_NAME_MAX_LENGTH = 100
# The name part of statuses.text.HASHTAG_RE: word characters with at least one letter.
TAG_NAME_RE = re.compile(r"\w*[^\W\d_]\w*", re.UNICODE)


class TagInvalidError(ApplicationError):
    pass


def is_hashtag_name(name: str) -> bool:
    return len(name) <= TAG_NAME_MAX_LENGTH and TAG_NAME_RE.fullmatch(name) is not None


def tag_get_or_create(*, name: str) -> Tag:
    """The tag of this name (any case, a leading # ignored), created if new; a name that is
    not a hashtag is refused."""
    name = name.strip().removeprefix("#")
    if not is_hashtag_name(name):
        raise TagInvalidError(_("“%(name)s” is not a valid hashtag.") % {"name": name}, field="name")
    tag = Tag.objects.filter(name__iexact=name).first()
    if tag is None:
        try:
            with transaction.atomic():
                tag = Tag.objects.create(name=name)
        except IntegrityError:  # created meanwhile by another request
            tag = Tag.objects.get(name__iexact=name)
    return tag


@transaction.atomic
def tag_follow(*, account: Account, name: str) -> Tag:
    """Follow a hashtag (again: nothing changes). Its recent public posts join the feed."""
    from .tasks import feed_merge_tag

    tag = tag_get_or_create(name=name)
    _follow, created = TagFollow.objects.get_or_create(account=account, tag=tag)
    if created:
        transaction.on_commit(lambda: feed_merge_tag.send(account.pk, tag.pk))
    return tag


@transaction.atomic
def tag_unfollow(*, account: Account, name: str) -> Tag:
    """Stop following a hashtag (not followed: nothing changes); its posts leave the feed
    unless they belong there for another reason."""
    from .tasks import feed_unmerge_tag

    tag = tag_get_or_create(name=name)
    deleted, _rows = TagFollow.objects.filter(account=account, tag=tag).delete()
    if deleted:
        transaction.on_commit(lambda: feed_unmerge_tag.send(account.pk, tag.pk))
    return tag


@transaction.atomic
def featured_tag_create(*, account: Account, name: str) -> FeaturedTag:
    """Feature a hashtag on one's profile (already featured: that one is returned), at most
    FEATURED_TAGS_MAX of them."""
    from federation.services.outbound import publish_on_commit

    tag = tag_get_or_create(name=name)
    # The account row is the lock: two requests at once cannot both take the tenth place.
    Account.objects.select_for_update().filter(pk=account.pk).first()
    existing = FeaturedTag.objects.filter(account=account, tag=tag).first()
    if existing is not None:
        return existing
    if FeaturedTag.objects.filter(account=account).count() >= FEATURED_TAGS_MAX:
        raise TagInvalidError(
            _("You can feature at most %(n)d hashtags.") % {"n": FEATURED_TAGS_MAX}, field="name",
        )
    featured = FeaturedTag.objects.create(account=account, tag=tag)
    if account.is_local:
        publish_on_commit("profile", account.pk)  # the actor's featuredTags changed
    return featured


@transaction.atomic
def featured_tag_delete(*, account: Account, featured_tag_id) -> None:
    """Stop featuring a hashtag; someone else's featured tag is a 404 like a missing id."""
    from federation.services.outbound import publish_on_commit

    pk = int(featured_tag_id) if str(featured_tag_id).isdigit() else 0
    deleted, _rows = FeaturedTag.objects.filter(pk=pk, account=account).delete()
    if not deleted:
        raise NotFoundError()
    if account.is_local:
        publish_on_commit("profile", account.pk)


@transaction.atomic
def featured_tags_replace(*, account: Account, names: list[str]) -> None:
    """A remote account's featured hashtags as its server lists them (names that are not
    hashtags are skipped, at most FEATURED_TAGS_MAX kept)."""
    tags = []
    for name in names:
        if is_hashtag_name(name.strip().removeprefix("#")) and len(tags) < FEATURED_TAGS_MAX:
            tags.append(tag_get_or_create(name=name))
    FeaturedTag.objects.filter(account=account).exclude(tag__in=tags).delete()
    FeaturedTag.objects.bulk_create(
        [FeaturedTag(account=account, tag=tag) for tag in tags], ignore_conflicts=True,
    )
