"""/api/v1/announcements: current ones with `read` and reactions; dismiss; react."""

from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.announcements import announcement_save
from moderation.models import AnnouncementDismissal, AnnouncementReaction
from tests.api.contract import assert_matches_contract
from tests.factories import make_local_account

pytestmark = pytest.mark.django_db

PATH = "/api/v1/announcements"


@pytest.fixture
def admin_user(db):
    return make_local_account("adam", role="admin").user


@pytest.fixture
def announcement(admin_user):
    return announcement_save(by=admin_user, text="<p>Maintenance tonight</p>", published=True)


def test_announcements_list_current_ones_with_read_and_reactions(
    alice, bob, announcement, admin_user, api_for,
):
    now = timezone.now()
    announcement_save(by=admin_user, text="draft", published=False)
    announcement_save(
        by=admin_user, text="later", published=True, starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=2),
    )
    api = api_for(alice)
    assert api.put(f"{PATH}/{announcement.pk}/reactions/👍").status_code == 200
    api_for(bob).put(f"{PATH}/{announcement.pk}/reactions/👍")
    api_for(bob).put(f"{PATH}/{announcement.pk}/reactions/🎉")

    response = api.get(PATH)

    assert response.status_code == 200
    assert_matches_contract(response, PATH)
    [body] = response.json()
    assert body["id"] == str(announcement.pk) and body["content"] == "<p>Maintenance tonight</p>"
    assert body["read"] is False and body["all_day"] is False and body["starts_at"] is None
    assert body["reactions"] == [
        {"name": "🎉", "count": 1, "me": False}, {"name": "👍", "count": 2, "me": True},
    ]

    dismissed = api.post(f"{PATH}/{announcement.pk}/dismiss")
    assert dismissed.status_code == 200
    assert_matches_contract(dismissed, f"{PATH}/{{id}}/dismiss", "post")
    assert api.get(PATH).json()[0]["read"] is True
    assert api_for(bob).get(PATH).json()[0]["read"] is False


def test_removing_a_reaction(alice, announcement, api_for):
    api = api_for(alice)
    api.put(f"{PATH}/{announcement.pk}/reactions/❤️")
    removed = api.delete(f"{PATH}/{announcement.pk}/reactions/❤️")
    assert removed.status_code == 200
    assert_matches_contract(removed, f"{PATH}/{{id}}/reactions/{{name}}", "delete")
    assert not AnnouncementReaction.objects.exists()
    assert api.delete(f"{PATH}/{announcement.pk}/reactions/❤️").status_code == 404


def test_custom_emoji_and_words_are_not_reactions(alice, announcement, api_for):
    api = api_for(alice)
    for name in ("blobcat", ":blobcat:", "%20"):
        response = api.put(f"{PATH}/{announcement.pk}/reactions/{name}")
        assert response.status_code == 422, name
        assert_matches_contract(response, f"{PATH}/{{id}}/reactions/{{name}}", "put")
    assert not AnnouncementReaction.objects.exists()


def test_drafts_past_and_missing_announcements_are_404(alice, admin_user, api_for):
    draft = announcement_save(by=admin_user, text="draft", published=False)
    api = api_for(alice)
    for announcement_id in (draft.pk, 999999, "abc"):
        assert api.post(f"{PATH}/{announcement_id}/dismiss").status_code == 404
        assert api.put(f"{PATH}/{announcement_id}/reactions/👍").status_code == 404
    assert not AnnouncementDismissal.objects.exists() and not AnnouncementReaction.objects.exists()


def test_announcement_scopes(alice, announcement, api_for, anon):
    assert anon.get(PATH).status_code == 401
    assert api_for(alice, scopes="read:statuses").get(PATH).status_code == 200
    dismiss, react = f"{PATH}/{announcement.pk}/dismiss", f"{PATH}/{announcement.pk}/reactions/👍"
    assert api_for(alice, scopes="read").post(dismiss).status_code == 403
    assert api_for(alice, scopes="write:accounts").post(dismiss).status_code == 200
    assert api_for(alice, scopes="write:accounts").put(react).status_code == 403
    assert api_for(alice, scopes="write:favourites").put(react).status_code == 200
