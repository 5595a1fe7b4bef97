"""Announcements from the staff: written in the admin (Admin and Owner roles, audit-logged),
shown to every user while current, dismissed and reacted to (unicode emoji) per user."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, User
from config import server_state
from config.errors import ApplicationError, NotFoundError
from statuses.html import sanitize_html

from .audit import audit_log, staff_require
from .models import Announcement, AnnouncementDismissal, AnnouncementReaction

# As Mastodon: at most this many different reactions on one announcement.
REACTIONS_MAX = 8
REACTION_NAME_MAX_LENGTH = 32

# Code points that make up unicode emoji: pictographs, symbols, flags' regional indicators,
# skin tones, and the joiners and selectors that combine them.
EMOJI_RANGES = (
    (0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2300, 0x23FF), (0x2B00, 0x2BFF), (0x2190, 0x21FF),
    (0x25A0, 0x25FF), (0x2100, 0x214F), (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3299),
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049), (0x24C2, 0x24C2),
)
EMOJI_COMBINERS = {0x200D, 0xFE0F, 0xFE0E, 0x20E3, *range(0xE0020, 0xE0080)}
KEYCAP_BASES = set("0123456789#*")


class AnnouncementInvalidError(ApplicationError):
    pass


def _is_pictograph(char: str) -> bool:
    return any(low <= ord(char) <= high for low, high in EMOJI_RANGES)


def is_unicode_emoji(name: str) -> bool:
    """Whether `name` is made of emoji code points only (joined sequences, flags, skin tones
    and keycaps such as 1️⃣ included): a custom emoji's shortcode is not."""
    if not name or len(name) > REACTION_NAME_MAX_LENGTH:
        return False
    keycap = 0x20E3 in {ord(c) for c in name}
    return any(_is_pictograph(c) or (keycap and c in KEYCAP_BASES) for c in name) and all(
        _is_pictograph(c) or ord(c) in EMOJI_COMBINERS or (keycap and c in KEYCAP_BASES) for c in name
    )


# --- the staff's side -----------------------------------------------------------------------


def announcement_validate(
    *, text: str, starts_at: datetime | None, ends_at: datetime | None, all_day: bool,
) -> str:
    """The text as it will be stored (allowlisted HTML), or AnnouncementInvalidError."""
    content = sanitize_html(text.strip())
    if not content.strip():
        raise AnnouncementInvalidError(_("Write the announcement."), field="text")
    if all_day and (starts_at is None or ends_at is None):
        raise AnnouncementInvalidError(_("An all-day announcement needs both dates."), field="ends_at")
    if starts_at and ends_at and ends_at < starts_at:
        raise AnnouncementInvalidError(_("It cannot end before it starts."), field="ends_at")
    return content


@transaction.atomic
def announcement_save(
    *, by: User | None, text: str, announcement: Announcement | None = None,
    starts_at: datetime | None = None, ends_at: datetime | None = None, all_day: bool = False,
    published: bool = False,
) -> Announcement:
    """Create an announcement (`announcement=None`) or change one; the text's HTML passes the
    allowlist. Publishing stamps `published_at` once."""
    creating = announcement is None
    staff_require(by, "moderation.add_announcement" if creating else "moderation.change_announcement")
    content = announcement_validate(text=text, starts_at=starts_at, ends_at=ends_at, all_day=all_day)
    row = Announcement() if creating else announcement
    now = timezone.now()
    row.text, row.starts_at, row.ends_at = content, starts_at, ends_at
    row.all_day = all_day
    row.published, row.updated_at = published, now
    if published and row.published_at is None:
        row.published_at = now
    row.save()
    audit_log(
        by=by, action="announcement.create" if creating else "announcement.update", target=row,
        details={"published": published},
    )
    return row


@transaction.atomic
def announcement_delete(*, by: User | None, announcement: Announcement) -> None:
    staff_require(by, "moderation.delete_announcement")
    audit_log(by=by, action="announcement.delete", target=announcement)
    announcement.delete()


# --- the users' side ------------------------------------------------------------------------


def announcements_current() -> list[Announcement]:
    return list(Announcement.objects.current())


def announcements_undismissed(*, account: Account) -> list[Announcement]:
    """The current announcements `account` has not dismissed yet (the web home page's).
    Most of the time none is published: every home page then asks the database nothing."""
    published = Announcement.objects.filter(published=True)
    if not server_state.remembered("announcements_published", published.exists):
        return []
    dismissed = AnnouncementDismissal.objects.filter(account=account).values("announcement")
    return list(Announcement.objects.current().exclude(pk__in=dismissed))


def access_announcement(*, announcement_id) -> Announcement:
    """A current announcement, or NotFoundError as for a missing id (drafts, past ones)."""
    try:
        announcement_id = int(announcement_id)
    except (TypeError, ValueError):
        raise NotFoundError() from None
    announcement = Announcement.objects.current().filter(pk=announcement_id).first()
    if announcement is None:
        raise NotFoundError()
    return announcement


@dataclass(frozen=True)
class ReactionCount:
    name: str
    count: int
    me: bool


@dataclass(frozen=True)
class AnnouncementsState:
    """What a viewer has done to a list of announcements, and their reaction counts."""

    read: set[int]
    reactions: dict[int, list[ReactionCount]]


def announcements_state(*, viewer: Account, announcements: list[Announcement]) -> AnnouncementsState:
    ids = [a.pk for a in announcements]
    read = set(
        AnnouncementDismissal.objects.filter(account=viewer, announcement__in=ids)
        .values_list("announcement", flat=True)
    )
    mine = set(
        AnnouncementReaction.objects.filter(account=viewer, announcement__in=ids)
        .values_list("announcement", "name")
    )
    reactions: dict[int, list[ReactionCount]] = {pk: [] for pk in ids}
    rows = (
        AnnouncementReaction.objects.filter(announcement__in=ids).values("announcement", "name")
        .annotate(count=Count("pk")).order_by("announcement", "name")
    )
    for row in rows:
        reactions[row["announcement"]].append(ReactionCount(
            name=row["name"], count=row["count"], me=(row["announcement"], row["name"]) in mine,
        ))
    return AnnouncementsState(read=read, reactions=reactions)


def announcement_dismiss(*, account: Account, announcement: Announcement) -> None:
    """Mark it read for `account`; dismissing twice is one dismissal."""
    AnnouncementDismissal.objects.get_or_create(account=account, announcement=announcement)


@transaction.atomic
def announcement_reaction_add(*, account: Account, announcement: Announcement, name: str) -> None:
    """React with a unicode emoji; reacting twice with the same one is one reaction."""
    if not is_unicode_emoji(name):
        raise AnnouncementInvalidError(_("Reactions are unicode emoji."), field="name")
    names = set(AnnouncementReaction.objects.filter(announcement=announcement).values_list("name", flat=True))
    if name not in names and len(names) >= REACTIONS_MAX:
        raise AnnouncementInvalidError(_("This announcement has all the reactions it may have."))
    try:
        with transaction.atomic():
            AnnouncementReaction.objects.create(account=account, announcement=announcement, name=name)
    except IntegrityError:
        pass  # already there: the reaction stands


def announcement_reaction_remove(*, account: Account, announcement: Announcement, name: str) -> None:
    """Take one's reaction back; NotFoundError when there is none (as Mastodon answers)."""
    deleted, _rows = AnnouncementReaction.objects.filter(
        account=account, announcement=announcement, name=name,
    ).delete()
    if not deleted:
        raise NotFoundError()
