"""The accounts services: creating accounts and signing up, confirming an address, follows
and follow requests (locked accounts), blocks, mutes with expiry, notifications and their
dedupe, the profile."""

import io
from datetime import timedelta

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.mail import CONFIRMATION_SALT, confirmation_token
from accounts.models import (
    Account,
    Block,
    Follow,
    FollowRequest,
    Mute,
    Notification,
    NotificationType,
    RegistrationMode,
    SiteSettings,
    User,
)
from accounts.services import (
    ConfirmationLinkError,
    FollowError,
    ProfileError,
    RegistrationClosedError,
    account_create_local,
    block_create,
    block_remove,
    email_confirm,
    follow_accept,
    follow_reject,
    follow_request,
    follower_remove,
    mute_create,
    mute_remove,
    notification_create,
    notifications_mark_read,
    preferences_update,
    profile_update,
    signup,
    unfollow,
    user_role_set,
)
from config.errors import ApplicationError, NotFoundError
from statuses.models import Visibility
from statuses.permissions import is_visible_to
from statuses.selectors import notifications_list, notifications_unread_count, timeline_home
from statuses.services import reblog_create, status_create
from tests.factories import FIXED_PUBLIC_KEY, PASSWORD, image_file, make_remote_account

pytestmark = pytest.mark.django_db


def set_registration_mode(mode):
    site = SiteSettings.current()
    site.registration_mode = mode
    site.save()


def notification_types(account) -> list[str]:
    return [n.type for n in Notification.objects.filter(account=account).order_by("id")]


# --- creating accounts --------------------------------------------------------------------


def test_account_create_local_makes_a_user_an_account_and_keys(
    django_capture_on_commit_callbacks, mailoutbox,
):
    with django_capture_on_commit_callbacks(execute=True):
        account = account_create_local(
            username=" Zoe ", email="Zoe@Example.COM", password=PASSWORD, confirmed=True,
        )
    account.refresh_from_db()
    assert account.username == "Zoe" and account.is_local
    assert account.user.email == "Zoe@example.com"  # the domain part is normalised
    assert account.user.check_password(PASSWORD) and account.user.is_confirmed
    assert account.public_key == FIXED_PUBLIC_KEY and account.private_key
    assert mailoutbox == []  # already confirmed: no mail


def test_unconfirmed_account_is_mailed_a_link_on_commit(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        account = account_create_local(username="zoe", email="zoe@example.com", password=PASSWORD)
    assert not account.user.is_confirmed
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["zoe@example.com"]


@pytest.mark.parametrize(("role", "superuser"), [("admin", True), ("moderator", False)])
def test_roles(role, superuser):
    account = account_create_local(
        username="zoe", email="zoe@example.com", password=PASSWORD, role=role,
    )
    user = User.objects.get(pk=account.user.pk)
    assert user.is_staff and user.is_superuser == superuser
    assert user.groups.filter(name=role.capitalize()).exists()


def test_unknown_role_is_refused(alice):
    with pytest.raises(ApplicationError):
        user_role_set(user=alice.user, role="emperor")


# --- sign-up and confirmation ---------------------------------------------------------------


def test_open_signup_is_approved_but_unconfirmed(db):
    account = signup(username="zoe", email="zoe@example.com", password=PASSWORD, agreement=True)
    assert account.user.approved and not account.user.is_confirmed


def test_signup_needs_the_rules_accepted(db):
    with pytest.raises(ApplicationError) as refused:
        signup(username="zoe", email="zoe@example.com", password=PASSWORD, agreement=False)
    assert refused.value.field == "agreement"
    assert not User.objects.exists()


def test_approval_mode_needs_a_reason_and_leaves_the_user_pending(db):
    set_registration_mode(RegistrationMode.APPROVAL)
    with pytest.raises(ApplicationError) as refused:
        signup(username="zoe", email="zoe@example.com", password=PASSWORD, agreement=True, reason=" ")
    assert refused.value.field == "reason"
    account = signup(
        username="zoe", email="zoe@example.com", password=PASSWORD, agreement=True,
        reason=" I like birds ",
    )
    assert not account.user.approved and account.user.signup_reason == "I like birds"


def test_closed_mode_refuses_everyone(db):
    set_registration_mode(RegistrationMode.CLOSED)
    with pytest.raises(RegistrationClosedError):
        signup(username="zoe", email="zoe@example.com", password=PASSWORD, agreement=True)
    assert not User.objects.exists()


def test_email_confirm_with_a_good_token(db):
    account = account_create_local(username="zoe", email="zoe@example.com", password=PASSWORD)
    user = email_confirm(token=confirmation_token(account.user))
    assert user.is_confirmed
    confirmed_at = User.objects.get(pk=user.pk).email_confirmed_at
    email_confirm(token=confirmation_token(account.user))  # a second click changes nothing
    assert User.objects.get(pk=user.pk).email_confirmed_at == confirmed_at


def test_email_confirm_refuses_bad_expired_and_stale_tokens(db):
    account = account_create_local(username="zoe", email="zoe@example.com", password=PASSWORD)
    user = account.user
    stale = confirmation_token(user)
    user.email = "new@example.com"
    user.save()
    expired = signing.dumps(
        {"user": user.pk, "email": user.email}, salt=CONFIRMATION_SALT,
    )
    for token, message in (
        ("garbage", "not valid"),
        (stale, "not valid"),  # made for the address before it changed
        (signing.dumps({"user": user.pk, "email": user.email}, salt="other"), "not valid"),
    ):
        with pytest.raises(ConfirmationLinkError) as refused:
            email_confirm(token=token)
        assert message in refused.value.message
    later = timezone.now() + timedelta(days=4)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("time.time", lambda: later.timestamp())
        with pytest.raises(ConfirmationLinkError) as refused:
            email_confirm(token=expired)
    assert "expired" in refused.value.message
    assert not User.objects.get(pk=user.pk).is_confirmed


# --- follows ------------------------------------------------------------------------------


def test_follow_of_an_open_account_is_immediate_and_notified(alice, bob):
    follow = follow_request(follower=bob, target=alice)
    assert isinstance(follow, Follow)
    assert notification_types(alice) == [NotificationType.FOLLOW]


def test_follow_twice_is_one_follow_with_the_latest_options(alice, bob):
    follow_request(follower=bob, target=alice)
    follow_request(follower=bob, target=alice, show_reblogs=False)
    follow = Follow.objects.get()
    assert not follow.show_reblogs
    assert notification_types(alice) == [NotificationType.FOLLOW]


def test_follow_of_a_suspended_account_is_not_found(alice, bob):
    Account.objects.filter(pk=alice.pk).update(suspended_at=timezone.now())
    alice.refresh_from_db()
    with pytest.raises(NotFoundError):
        follow_request(follower=bob, target=alice)
    assert not Follow.objects.exists()


def test_follow_of_a_remote_account_waits_for_its_server(alice):
    carol = make_remote_account("carol", "example.social")
    request = follow_request(follower=alice, target=carol)
    assert isinstance(request, FollowRequest)
    assert not Follow.objects.exists() and not Notification.objects.exists()


@pytest.fixture
def locked_alice(alice):
    profile_update(account=alice, locked=True)
    return alice


def test_locked_account_gets_a_request_to_approve(locked_alice, bob):
    alice = locked_alice
    private = status_create(author=alice, text="Friends only", visibility=Visibility.PRIVATE)
    request = follow_request(follower=bob, target=alice)
    assert isinstance(request, FollowRequest) and not Follow.objects.exists()
    assert notification_types(alice) == [NotificationType.FOLLOW_REQUEST]
    assert not is_visible_to(private, bob)  # asking is not being accepted

    follow_request(follower=bob, target=alice)  # asking again is the same request
    assert FollowRequest.objects.count() == 1
    assert notification_types(alice) == [NotificationType.FOLLOW_REQUEST]

    follow_accept(follow_request=request)
    assert Follow.objects.filter(account=bob, target_account=alice).exists()
    assert not FollowRequest.objects.exists()
    assert notification_types(alice) == [NotificationType.FOLLOW]
    assert is_visible_to(private, bob)
    assert timeline_home(viewer=bob) == [private]


def test_rejected_request_leaves_nothing(locked_alice, bob):
    request = follow_request(follower=bob, target=locked_alice)
    follow_reject(follow_request=request)
    assert not FollowRequest.objects.exists() and not Follow.objects.exists()
    assert notification_types(locked_alice) == []


def test_unfollow_withdraws_a_pending_request(locked_alice, bob):
    follow_request(follower=bob, target=locked_alice)
    unfollow(follower=bob, target=locked_alice)
    assert not FollowRequest.objects.exists()


def test_unlocking_accepts_everyone_waiting(locked_alice, bob, carol):
    for follower in (bob, carol):
        follow_request(follower=follower, target=locked_alice)
    profile_update(account=locked_alice, locked=False)
    assert set(Follow.objects.values_list("account", flat=True)) == {bob.pk, carol.pk}
    assert not FollowRequest.objects.exists()
    assert notification_types(locked_alice) == [NotificationType.FOLLOW] * 2


def test_unfollow_and_remove_follower(alice, bob, carol):
    follow_request(follower=bob, target=alice)
    follow_request(follower=carol, target=alice)
    unfollow(follower=bob, target=alice)
    follower_remove(account=alice, follower=carol)
    assert not Follow.objects.exists()
    unfollow(follower=bob, target=alice)  # not following is not an error


def test_follow_without_boosts_keeps_boosts_out_of_home(alice, bob, carol):
    follow_request(follower=bob, target=carol, show_reblogs=False)
    post = status_create(author=alice, text="Boosted")
    reblog_create(account=carol, status=post)
    own = status_create(author=carol, text="Carol's own")
    assert timeline_home(viewer=bob) == [own]


# --- blocks -------------------------------------------------------------------------------


def test_block_severs_follows_and_requests_both_ways(alice, bob, carol):
    follow_request(follower=alice, target=bob)
    follow_request(follower=bob, target=alice)
    profile_update(account=carol, locked=True)
    follow_request(follower=carol, target=alice)
    follow_request(follower=alice, target=carol)
    block_create(account=alice, target=bob)
    block_create(account=carol, target=alice)
    assert not Follow.objects.exists() and not FollowRequest.objects.exists()


def test_block_removes_the_blocked_accounts_notifications(alice, bob, carol):
    status = status_create(author=alice, text="Hi @bob @carol")
    follow_request(follower=bob, target=alice)
    follow_request(follower=carol, target=alice)
    block_create(account=alice, target=bob)
    assert [n.from_account for n in Notification.objects.filter(account=alice)] == [carol]
    # bob's mention from alice is kept but no longer shown: he may not see the post.
    assert Notification.objects.filter(account=bob, status=status).exists()
    assert notifications_list(viewer=bob) == []


def test_block_is_idempotent_and_undoing_it_does_not_restore_follows(alice, bob):
    follow_request(follower=bob, target=alice)
    assert block_create(account=alice, target=bob) == block_create(account=alice, target=bob)
    block_remove(account=alice, target=bob)
    assert not Block.objects.exists() and not Follow.objects.exists()
    follow_request(follower=bob, target=alice)  # following again is allowed
    assert Follow.objects.exists()


def test_block_or_mute_of_oneself_is_refused(alice):
    for service in (block_create, mute_create):
        with pytest.raises(FollowError):
            service(account=alice, target=alice)
    assert not Block.objects.exists() and not Mute.objects.exists()


# --- mutes --------------------------------------------------------------------------------


def test_mute_with_a_duration_ends_by_itself(alice, bob):
    follow_request(follower=bob, target=alice)
    post = status_create(author=alice, text="Muted for an hour")
    mute = mute_create(account=bob, target=alice, duration=timedelta(hours=1))
    assert timezone.now() + timedelta(minutes=59) < mute.expires_at <= timezone.now() + timedelta(hours=1)
    assert timeline_home(viewer=bob) == []
    status_create(author=alice, text="Hey @bob")
    assert notifications_list(viewer=bob) == []

    Mute.objects.filter(pk=mute.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert post in timeline_home(viewer=bob)
    # Notifications sent during the mute were never created; new ones arrive again.
    status_create(author=alice, text="Hey again @bob")
    assert [n.type for n in notifications_list(viewer=bob)] == [NotificationType.MENTION]


def test_muting_again_updates_the_mute(alice, bob):
    mute_create(account=bob, target=alice, duration=timedelta(hours=1))
    mute = mute_create(account=bob, target=alice, hide_notifications=False)
    assert Mute.objects.count() == 1
    assert mute.expires_at is None and not mute.hide_notifications


def test_mute_hides_earlier_notifications_too_and_unmute_shows_them(alice, bob):
    status_create(author=alice, text="Hey @bob")
    mute_create(account=bob, target=alice)
    assert notifications_list(viewer=bob) == []
    mute_remove(account=bob, target=alice)
    assert len(notifications_list(viewer=bob)) == 1


def test_mute_keeps_the_follow(alice, bob):
    follow_request(follower=bob, target=alice)
    mute_create(account=bob, target=alice)
    assert Follow.objects.filter(account=bob, target_account=alice).exists()


# --- notifications ------------------------------------------------------------------------


def test_notification_is_created_once_per_who_what_and_post(alice, bob):
    status = status_create(author=alice, text="Star me")
    for _ in range(3):
        notification_create(
            recipient=alice, from_account=bob, type=NotificationType.FAVOURITE, status=status,
        )
    notification_create(recipient=alice, from_account=bob, type=NotificationType.REBLOG, status=status)
    assert notification_types(alice) == [NotificationType.FAVOURITE, NotificationType.REBLOG]


def test_follow_notification_without_a_status_is_not_duplicated(alice, bob):
    for _ in range(2):
        notification_create(recipient=alice, from_account=bob, type=NotificationType.FOLLOW)
    assert notification_types(alice) == [NotificationType.FOLLOW]


def test_no_notification_to_oneself_to_remote_accounts_or_from_blocked_ones(alice, bob):
    carol = make_remote_account("carol", "example.social")
    block_create(account=alice, target=bob)
    assert notification_create(recipient=alice, from_account=alice, type=NotificationType.FOLLOW) is None
    assert notification_create(recipient=carol, from_account=alice, type=NotificationType.FOLLOW) is None
    assert notification_create(recipient=alice, from_account=bob, type=NotificationType.FOLLOW) is None
    assert not Notification.objects.exists()


def test_notifications_from_suspended_accounts_are_hidden(alice, bob):
    follow_request(follower=bob, target=alice)
    Account.objects.filter(pk=bob.pk).update(suspended_at=timezone.now())
    assert notifications_list(viewer=alice) == []


def test_unread_count_and_mark_read(alice, bob, carol):
    follow_request(follower=bob, target=alice)
    follow_request(follower=carol, target=alice)
    alice.user.refresh_from_db()
    assert notifications_unread_count(viewer=alice) == 2
    newest, oldest = notifications_list(viewer=alice)
    notifications_mark_read(user=alice.user, up_to_id=oldest.pk)
    alice.user.refresh_from_db()
    assert notifications_unread_count(viewer=alice) == 1
    notifications_mark_read(user=alice.user, up_to_id=newest.pk)
    notifications_mark_read(user=alice.user, up_to_id=oldest.pk)  # never moves back
    alice.user.refresh_from_db()
    assert alice.user.last_read_notification_id == newest.pk
    assert notifications_unread_count(viewer=alice) == 0


# --- profile and preferences ----------------------------------------------------------------


def test_profile_update_changes_only_what_is_given(alice, bob):
    profile_update(account=alice, display_name=" Alice A. ", note="Hi, I follow @bob #birds")
    profile_update(account=alice, bot=True)
    alice = Account.objects.get(pk=alice.pk)
    assert alice.display_name == "Alice A." and alice.bot
    assert alice.note == "Hi, I follow @bob #birds"
    assert f'href="{bob.profile_url}"' in alice.note_html and "/tags/birds" in alice.note_html


@pytest.mark.parametrize(
    "kwargs",
    [
        {"display_name": "x" * 31},
        {"note": "x" * 501},
        {"fields": [{"name": f"n{i}", "value": "v"} for i in range(5)]},
        {"fields": [{"name": "n", "value": "v" * 256}]},
    ],
    ids=["display name", "bio", "five fields", "long field"],
)
def test_profile_limits(alice, kwargs):
    with pytest.raises(ProfileError):
        profile_update(account=alice, **kwargs)
    stored = Account.objects.get(pk=alice.pk)
    assert stored.display_name == "" and stored.note == "" and stored.fields == []


def test_profile_fields_are_trimmed_and_empty_ones_dropped(alice):
    profile_update(account=alice, fields=[
        {"name": " Site ", "value": " https://example.com "}, {"name": " ", "value": ""},
    ])
    assert Account.objects.get(pk=alice.pk).fields == [{"name": "Site", "value": "https://example.com"}]


def test_avatar_is_cropped_and_stripped_of_exif(alice):
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # camera maker
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPS
    Image.new("RGB", (900, 600), (200, 30, 30)).save(buffer, "JPEG", exif=exif)
    upload = SimpleUploadedFile("me.jpg", buffer.getvalue(), content_type="image/jpeg")
    assert Image.open(io.BytesIO(buffer.getvalue())).getexif()  # the upload does carry EXIF

    profile_update(account=alice, avatar=upload, header=image_file(size=(3000, 1000)))
    alice = Account.objects.get(pk=alice.pk)
    with alice.avatar.open() as stored:
        image = Image.open(stored)
        assert image.size == (400, 400)
        assert not image.getexif() and "exif" not in image.info
    with alice.header.open() as stored:
        assert Image.open(stored).size == (1500, 500)


def test_preferences_refuse_unknown_values(alice):
    for kwargs in ({"locale": "xx", "default_visibility": "public"},
                   {"locale": "fr", "default_visibility": "everyone"}):
        with pytest.raises(ApplicationError):
            preferences_update(user=alice.user, **kwargs)
    preferences_update(user=alice.user, locale="fr", default_visibility="private")
    user = User.objects.get(pk=alice.user.pk)
    assert (user.locale, user.default_visibility) == ("fr", "private")
