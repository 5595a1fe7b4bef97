"""Account actions, judged by what people then see: limit, suspend, freeze, warn, mark
sensitive, delete posts; timed actions expiring; erasure after the retention period."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.services import follow_request
from moderation.models import AccountStrike, AuditLogEntry, ScheduledErasure, StrikeAction
from moderation.services import (
    ModerationActionError,
    account_action,
    account_unfreeze,
    account_unlimit,
    account_unsuspend,
    appeal_approve,
    appeal_create,
    moderation_sweep,
)
from statuses.models import MediaAttachment, Status, Visibility
from statuses.services import media_create, status_create
from tests.factories import PASSWORD, image_file

from .pages import text_of

pytestmark = pytest.mark.django_db


def test_a_limited_account_is_absent_from_public_timelines_except_for_followers(
    alice, bob, carol, moderator, client_for,
):
    follow_request(follower=carol, target=bob)
    status_create(author=bob, text="Buy my pills", visibility=Visibility.PUBLIC)

    account_action(account=bob, action=StrikeAction.LIMIT, by=moderator.user, reason="Spam")

    assert "Buy my pills" not in text_of(Client().get("/public/local"))
    assert "Buy my pills" not in text_of(client_for(alice).get("/public/local"))
    assert "Buy my pills" not in text_of(client_for(alice).get("/@bob"))
    assert "Buy my pills" in text_of(client_for(carol).get("/home"))
    entry = AuditLogEntry.objects.get()
    assert (entry.actor_name, entry.action, entry.target_repr, entry.reason) == (
        "mia", "account.limit", "@bob", "Spam",
    )


def test_lifting_a_limit_shows_the_account_again(alice, bob, moderator, client_for):
    status_create(author=bob, text="Back again", visibility=Visibility.PUBLIC)
    account_action(account=bob, action=StrikeAction.LIMIT, by=moderator.user)

    account_unlimit(account=bob, by=moderator.user, reason="Sorted out")

    assert "Back again" in text_of(client_for(alice).get("/public/local"))
    assert AccountStrike.objects.get().lifted_at is not None
    assert AuditLogEntry.objects.filter(action="account.unlimit", reason="Sorted out").exists()


def test_a_timed_limit_is_lifted_by_the_sweep_when_its_time_is_up(alice, bob, moderator, client_for):
    status_create(author=bob, text="Loud post", visibility=Visibility.PUBLIC)
    account_action(account=bob, action=StrikeAction.LIMIT, by=moderator.user, duration=timedelta(days=7))

    moderation_sweep(now=timezone.now() + timedelta(days=6))
    assert "Loud post" not in text_of(client_for(alice).get("/public/local"))

    result = moderation_sweep(now=timezone.now() + timedelta(days=7, minutes=1))
    assert result["lifted"] == 1
    assert "Loud post" in text_of(client_for(alice).get("/public/local"))
    assert AuditLogEntry.objects.filter(action="account.unlimit", actor_name="sweep").count() == 1
    assert moderation_sweep(now=timezone.now() + timedelta(days=8))["lifted"] == 0


def test_a_timed_limit_does_not_lift_a_longer_one(bob, moderator):
    account_action(account=bob, action=StrikeAction.LIMIT, by=moderator.user)
    AccountStrike.objects.create(
        account=bob, action=StrikeAction.LIMIT, ends_at=timezone.now() + timedelta(days=1),
    )

    moderation_sweep(now=timezone.now() + timedelta(days=2))

    bob.refresh_from_db()
    assert bob.silenced_at is not None


def test_a_suspended_accounts_profile_and_posts_are_404_for_everyone(
    alice, bob, carol, moderator, client_for,
):
    follow_request(follower=carol, target=bob)
    post = status_create(author=bob, text="Something awful", visibility=Visibility.PUBLIC)

    account_action(account=bob, action=StrikeAction.SUSPEND, by=moderator.user, reason="Harassment")

    for client in (Client(), client_for(alice), client_for(carol), client_for(moderator)):
        assert client.get("/@bob").status_code == 404
        assert client.get(f"/@bob/{post.pk}").status_code == 404
    assert "Something awful" not in text_of(client_for(carol).get("/home"))
    assert "Something awful" not in text_of(Client().get("/public/local"))
    # Staff still see the account and its public posts, in the moderation console.
    console = client_for(moderator).get(f"/admin/moderation/moderatedaccount/{bob.pk}/change/")
    assert console.status_code == 200 and "Something awful" in text_of(console)
    assert client_for(alice).get(f"/admin/moderation/moderatedaccount/{bob.pk}/change/").status_code != 200


def test_suspending_logs_the_user_out_and_revokes_their_tokens(bob, moderator, client_for):
    from oauth2_provider.models import AccessToken, Application

    bob_client = client_for(bob)
    app = Application.objects.create(
        name="App", client_type="confidential", authorization_grant_type="authorization-code",
    )
    AccessToken.objects.create(
        user=bob.user, application=app, token="secret-token", scope="read",
        expires=timezone.now() + timedelta(days=1),
    )

    account_action(account=bob, action=StrikeAction.SUSPEND, by=moderator.user)

    assert not AccessToken.objects.filter(user=bob.user).exists()
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(bob.user.pk)]
    response = bob_client.get("/home")
    assert response.status_code == 302 and "/auth/sign_in" in response["Location"]


def test_a_suspended_user_who_logs_in_sees_only_the_decision(bob, moderator):
    account_action(account=bob, action=StrikeAction.SUSPEND, by=moderator.user, reason="Spam bot")
    client = Client()
    assert client.post("/auth/sign_in", {"username": "bob", "password": PASSWORD}).status_code == 302

    response = client.get("/home", follow=True)

    assert response.redirect_chain[-1][0] == "/settings/strikes"
    page = text_of(response)
    assert "Account suspended" in page and "Spam bot" in page
    assert client.get("/compose").status_code == 302


def test_unsuspending_restores_the_profile(alice, bob, moderator, client_for):
    status_create(author=bob, text="Still here", visibility=Visibility.PUBLIC)
    account_action(account=bob, action=StrikeAction.SUSPEND, by=moderator.user)

    account_unsuspend(account=bob, by=moderator.user, reason="Mistake")

    assert "Still here" in text_of(client_for(alice).get("/@bob"))
    assert not ScheduledErasure.objects.exists()
    assert AccountStrike.objects.get().lifted_at is not None


def test_a_suspended_accounts_data_is_erased_after_thirty_days(alice, bob, moderator):
    status_create(author=bob, text="Evidence", visibility=Visibility.PUBLIC)
    follow_request(follower=alice, target=bob)
    account_action(account=bob, action=StrikeAction.SUSPEND, by=moderator.user)
    user_id = bob.user_id

    assert moderation_sweep(now=timezone.now() + timedelta(days=29))["erased"] == 0
    assert Status.objects.filter(account=bob).exists()

    assert moderation_sweep(now=timezone.now() + timedelta(days=31))["erased"] == 1
    bob.refresh_from_db()
    assert not Status.objects.filter(account=bob).exists()
    assert bob.user_id is None and bob.is_suspended
    assert not type(alice.user).objects.filter(pk=user_id).exists()
    assert not alice.following_set.exists()
    assert AccountStrike.objects.filter(account=bob).exists()  # the record stays
    assert AuditLogEntry.objects.filter(action="account.erase", target_repr="@bob").exists()
    with pytest.raises(ModerationActionError):
        account_unsuspend(account=bob, by=moderator.user)


def test_a_frozen_user_logs_in_only_to_read_and_appeal_the_decision(bob, moderator, client_for):
    bob_client = client_for(bob)

    strike = account_action(account=bob, action=StrikeAction.FREEZE, by=moderator.user, reason="Raids")

    # The old session is gone; logging in again works, but only the strikes pages answer.
    assert bob_client.get("/home").status_code == 302
    frozen = Client()
    response = frozen.post("/auth/sign_in", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302
    assert frozen.get("/home")["Location"] == "/settings/strikes"
    assert frozen.get("/api/v1/accounts/verify_credentials").status_code == 403
    page = frozen.get("/settings/strikes")
    assert page.status_code == 200 and 'id="frozen-banner"' in page.content.decode()
    assert "Raids" in text_of(page)
    frozen.post(f"/settings/strikes/{strike.pk}/appeal", {"text": "It was a mistake"})
    assert strike.appeal.text == "It was a mistake"
    # No app token for a frozen user.
    assert not User.objects.get(pk=bob.user_id).is_active

    account_unfreeze(account=bob, by=moderator.user)
    assert frozen.get("/home").status_code == 200
    assert client_for(bob).get("/settings/strikes").content.decode().count("frozen-banner") == 0


def test_an_inactive_user_who_is_not_frozen_still_cannot_log_in(bob):
    User.objects.filter(pk=bob.user_id).update(is_active=False)

    assert Client().post("/auth/sign_in", {"username": "bob", "password": PASSWORD}).status_code == 200


def test_marking_media_sensitive_applies_to_future_posts_until_the_appeal(bob, moderator):
    strike = account_action(account=bob, action=StrikeAction.MARK_SENSITIVE, by=moderator.user)

    later = status_create(author=bob, text="A new post")
    assert later.sensitive

    appeal = appeal_create(strike=strike, user=bob.user, text="Only cats")
    appeal_approve(appeal=appeal, by=moderator.user)
    assert not status_create(author=bob, text="After the appeal").sensitive


def test_a_timed_freeze_ends_by_itself(bob, moderator):
    account_action(account=bob, action=StrikeAction.FREEZE, by=moderator.user, duration=timedelta(days=3))

    moderation_sweep(now=timezone.now() + timedelta(days=3, hours=1))

    assert Client().post("/auth/sign_in", {"username": "bob", "password": PASSWORD}).status_code == 302


def test_a_warning_is_shown_to_the_user_and_mailed(
    bob, moderator, client_for, mailoutbox, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        account_action(
            account=bob, action=StrikeAction.WARN, by=moderator.user, reason="Mind your language",
            notify=True,
        )

    page = text_of(client_for(bob).get("/settings/strikes"))
    assert "Warning" in page and "Mind your language" in page
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["bob@example.com"]
    assert "Mind your language" in mailoutbox[0].body
    assert "/settings/strikes" in mailoutbox[0].body


def test_marking_media_sensitive_hides_images_behind_a_warning(bob, moderator):
    media = media_create(account=bob, file=image_file())
    with_image = status_create(author=bob, text="Look", media_ids=[media.pk])
    text_only = status_create(author=bob, text="Words")

    account_action(account=bob, action=StrikeAction.MARK_SENSITIVE, by=moderator.user)

    with_image.refresh_from_db()
    text_only.refresh_from_db()
    assert with_image.sensitive and not text_only.sensitive


def test_deleting_posts_removes_them_and_keeps_what_they_said_in_the_strike(
    alice, bob, moderator, client_for,
):
    media = media_create(account=bob, file=image_file())
    post = status_create(author=bob, text="Hateful words", media_ids=[media.pk])

    account_action(
        account=bob, action=StrikeAction.DELETE_STATUSES, by=moderator.user, status_ids=[post.pk],
        reason="Hate speech",
    )

    assert client_for(alice).get(f"/@bob/{post.pk}").status_code == 404
    assert not MediaAttachment.objects.exists()
    page = text_of(client_for(bob).get("/settings/strikes"))
    assert "Posts removed" in page and "Hateful words" in page


def test_deleting_someone_elses_post_through_an_account_is_refused(alice, bob, moderator):
    post = status_create(author=alice, text="Innocent")

    with pytest.raises(ModerationActionError):
        account_action(
            account=bob, action=StrikeAction.DELETE_STATUSES, by=moderator.user, status_ids=[post.pk],
        )

    assert Status.objects.filter(pk=post.pk).exists()
    assert not AccountStrike.objects.exists()


def test_only_limits_and_freezes_can_be_timed(bob, moderator):
    with pytest.raises(ModerationActionError):
        account_action(
            account=bob, action=StrikeAction.SUSPEND, by=moderator.user, duration=timedelta(days=1),
        )

    bob.refresh_from_db()
    assert not bob.is_suspended


def test_an_operator_action_is_logged_as_the_console(bob):
    account_action(account=bob, action=StrikeAction.WARN, by=None, reason="From the shell")

    assert AuditLogEntry.objects.get().actor_name == "manage.py"
