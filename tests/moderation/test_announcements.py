"""Announcements: written by admins in the admin (sanitized, audit-logged), current by their
dates, shown on the web home page until dismissed (a plain POST form), reactions' rules."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.errors import ForbiddenError, NotFoundError
from moderation.announcements import (
    REACTIONS_MAX,
    AnnouncementInvalidError,
    access_announcement,
    announcement_delete,
    announcement_reaction_add,
    announcement_save,
    announcements_current,
    is_unicode_emoji,
)
from moderation.models import Announcement, AnnouncementReaction, AuditLogEntry

pytestmark = pytest.mark.django_db


def _publish(by, text="Maintenance tonight", **kwargs):
    return announcement_save(by=by.user, text=text, published=True, **kwargs)


def test_the_text_is_sanitized_and_every_change_is_audit_logged(admin_account):
    announcement = _publish(admin_account, '<p onclick="x()">Hi <script>alert(1)</script><a href="https://a.example">a</a></p>')

    assert "script" not in announcement.text and "onclick" not in announcement.text
    assert '<a href="https://a.example" rel="nofollow noopener noreferrer">a</a>' in announcement.text
    assert announcement.published_at is not None

    announcement_save(by=admin_account.user, announcement=announcement, text="Changed", published=False)
    announcement_delete(by=admin_account.user, announcement=announcement)

    assert list(AuditLogEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "announcement.create", "announcement.update", "announcement.delete",
    ]
    assert not Announcement.objects.exists()


def test_moderators_may_not_write_announcements(moderator):
    with pytest.raises(ForbiddenError):
        _publish(moderator)
    assert not Announcement.objects.exists() and not AuditLogEntry.objects.exists()


@pytest.mark.parametrize("kwargs", [
    {"text": "   "},
    {"text": "<script>only code</script>"},
    {"starts_at": timezone.now(), "ends_at": timezone.now() - timedelta(hours=1)},
    {"all_day": True, "starts_at": timezone.now()},
])
def test_invalid_announcements_are_refused(admin_account, kwargs):
    kwargs.setdefault("text", "Hello")
    with pytest.raises(AnnouncementInvalidError):
        announcement_save(by=admin_account.user, published=True, **kwargs)
    assert not Announcement.objects.exists()


def test_current_means_published_and_within_its_dates(admin_account):
    now, hour, day = timezone.now(), timedelta(hours=1), timedelta(days=1)
    shown = _publish(admin_account, "now", starts_at=now - hour, ends_at=now + hour)
    always = _publish(admin_account, "always")
    today = _publish(
        admin_account, "all day today", all_day=True, starts_at=now, ends_at=now,
    )
    draft = announcement_save(by=admin_account.user, text="draft", published=False)
    future = _publish(admin_account, "later", starts_at=now + 2 * day, ends_at=now + 3 * day)
    past = _publish(admin_account, "over", starts_at=now - 3 * day, ends_at=now - 2 * day)

    assert {a.pk for a in announcements_current()} == {shown.pk, always.pk, today.pk}
    for hidden in (draft, future, past):
        with pytest.raises(NotFoundError):
            access_announcement(announcement_id=hidden.pk)


@pytest.mark.parametrize("name, ok", [
    ("👍", True), ("❤️", True), ("👩‍👩‍👧", True), ("🇫🇷", True), ("1️⃣", True), ("👋🏽", True),
    ("blobcat", False), (":blobcat:", False), ("a👍", False), ("", False), ("1", False), ("👍" * 40, False),
])
def test_only_unicode_emoji_are_reactions(name, ok):
    assert is_unicode_emoji(name) is ok


def test_an_announcement_takes_a_limited_number_of_different_reactions(admin_account, alice, bob):
    announcement = _publish(admin_account)
    emoji = ["😀", "😁", "😂", "🤣", "😃", "😄", "😅", "😆", "😇"]
    for name in emoji[:REACTIONS_MAX]:
        announcement_reaction_add(account=alice, announcement=announcement, name=name)
    with pytest.raises(AnnouncementInvalidError):
        announcement_reaction_add(account=alice, announcement=announcement, name=emoji[REACTIONS_MAX])
    announcement_reaction_add(account=bob, announcement=announcement, name=emoji[0])  # an existing one
    announcement_reaction_add(account=bob, announcement=announcement, name=emoji[0])  # twice is once
    assert AnnouncementReaction.objects.count() == REACTIONS_MAX + 1


def test_the_web_home_page_shows_current_announcements_until_dismissed(admin_account, alice, client_for):
    announcement = _publish(admin_account, "<p>Tea at <strong>five</strong></p>")
    client = client_for(alice)

    page = client.get("/home").content.decode()
    assert "Tea at <strong>five</strong>" in page
    dismiss_url = f"/announcements/{announcement.pk}/dismiss"
    assert f'action="{dismiss_url}"' in page

    response = client.post(dismiss_url, {"next": "/home"})
    assert response.status_code == 302 and response["Location"] == "/home"
    assert "Tea at" not in client.get("/home").content.decode()
    assert client.post(f"/announcements/{announcement.pk + 1}/dismiss").status_code == 404
    assert client.get(dismiss_url).status_code == 405


def test_admins_write_announcements_in_the_admin_and_moderators_cannot(admin_account, moderator, client_for):
    admin = client_for(admin_account)
    bad = admin.post("/admin/moderation/announcement/add/", {"text": "  "})
    assert bad.status_code == 200 and not Announcement.objects.exists()

    added = admin.post("/admin/moderation/announcement/add/", {"text": "<b>Hello</b>", "published": "on"})
    assert added.status_code == 302, added.content
    announcement = Announcement.objects.get()
    assert announcement.text == "<b>Hello</b>" and announcement.published
    assert AuditLogEntry.objects.filter(action="announcement.create", actor=admin_account.user).exists()

    assert client_for(moderator).get("/admin/moderation/announcement/add/").status_code == 403
