"""Bad input: each refusal is a clear error, and nothing already stored changes.

Every test takes a snapshot of the rows (and of the files under MEDIA_ROOT) before the bad
request and compares it after: `with unchanged():`. The service level first, then the same
mistakes through the web pages (see also tests/statuses/test_views.py,
tests/accounts/test_signup.py and tests/accounts/test_profile.py for the form messages)."""

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts.images import ImageInvalidError
from accounts.models import Account, SiteSettings
from accounts.services import (
    FollowError,
    UsernameError,
    account_create_local,
    block_create,
    follow_request,
    profile_update,
)
from config.errors import ApplicationError, NotFoundError
from statuses.models import Status, Visibility
from statuses.services import (
    ReblogNotAllowedError,
    StatusEmptyError,
    StatusInvalidError,
    media_create,
    reblog_create,
    status_create,
    status_edit,
)
from tests.factories import PASSWORD, bomb_png_file, image_file, make_local_account

pytestmark = pytest.mark.django_db

# Every table of the project (federation deliveries and moderation rows included): a refused
# action must not leave a row anywhere, not even an outgoing activity.
MODELS = [
    model
    for label in ("accounts", "statuses", "federation", "moderation")
    for model in apps.get_app_config(label).get_models()
    if not model._meta.proxy
]


@pytest.fixture(autouse=True)
def _settings_rows(db):
    """The one-row settings tables are created on first read (any page): create them first,
    so that reading them does not count as a change."""
    from moderation.models import ModerationSettings

    SiteSettings.current()
    ModerationSettings.current()


def snapshot() -> dict:
    """Every row of every model this project stores, and every stored file."""
    state = {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}
    media_root = Path(settings.MEDIA_ROOT)
    state["files"] = sorted(
        str(path.relative_to(media_root)) for path in media_root.rglob("*") if path.is_file()
    ) if media_root.exists() else []
    return state


@contextmanager
def unchanged():
    before = snapshot()
    yield
    after = snapshot()
    for key in before:
        assert after[key] == before[key], f"{key} changed"


def not_an_image(name="photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"#!/bin/sh\necho this is not a picture\n", content_type="image/png")


def truncated_png(name="cut.png") -> SimpleUploadedFile:
    whole = image_file(size=(400, 300)).read()
    return SimpleUploadedFile(name, whole[: len(whole) // 2], content_type="image/png")


def svg_file(name="drawing.svg") -> SimpleUploadedFile:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    return SimpleUploadedFile(name, svg, content_type="image/svg+xml")


# --- the length of a post ---------------------------------------------------------------

LINK = "https://example.com/" + "a-very-long-path/" * 10  # 190 characters, counted as 23


@pytest.mark.parametrize(
    ("text", "spoiler_text"),
    [
        ("a" * 501, ""),
        ("é" * 501, ""),
        ("a" * 400, "b" * 101),  # the content warning counts too
        ("a" * 477 + " " + LINK, ""),  # 477 + 1 + 23 = 501
    ],
    ids=["501 letters", "501 accented", "text and warning", "with a link"],
)
def test_overlong_post_is_refused(alice, text, spoiler_text):
    with unchanged(), pytest.raises(StatusInvalidError) as refused:
        status_create(author=alice, text=text, spoiler_text=spoiler_text)
    assert refused.value.message == "A post has at most 500 characters."
    assert refused.value.field == "text"


@pytest.mark.parametrize(
    ("text", "spoiler_text"),
    [
        ("a" * 500, ""),
        ("a" * 400, "b" * 100),
        ("a" * 476 + " " + LINK, ""),  # 476 + 1 + 23 = 500, though 667 characters long
        ("  " + "a" * 500 + "\n\n", ""),  # surrounding space is not counted
    ],
    ids=["500 letters", "text and warning", "with a link", "surrounding space"],
)
def test_post_of_500_counted_characters_is_accepted(alice, text, spoiler_text):
    status = status_create(author=alice, text=text, spoiler_text=spoiler_text)
    assert status.text == text.strip()
    assert Status.objects.count() == 1


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t  \r\n"])
def test_empty_post_is_refused(alice, text):
    with unchanged(), pytest.raises(StatusEmptyError) as refused:
        status_create(author=alice, text=text)
    assert refused.value.message == "Write something or attach an image."


def test_post_with_only_an_image_is_accepted(alice):
    media = media_create(account=alice, file=image_file(), description="a blue rectangle")
    status = status_create(author=alice, text="", media_ids=[media.pk])
    assert list(status.media.all()) == [media]


def test_unknown_visibility_is_refused(alice):
    with unchanged(), pytest.raises(StatusInvalidError):
        status_create(author=alice, text="Hello", visibility="everyone")


# --- images -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_file", [not_an_image, truncated_png, svg_file, bomb_png_file],
    ids=["not an image", "truncated", "svg", "60000x60000 bomb"],
)
def test_bad_image_as_post_media_is_refused(alice, make_file):
    upload = make_file()
    with unchanged(), pytest.raises(ImageInvalidError) as refused:
        media_create(account=alice, file=upload, description="whatever")
    assert refused.value.message


def test_the_bomb_is_small_on_disk_and_huge_once_decoded():
    """The file the bomb tests send: a valid PNG Pillow itself refuses to open."""
    bomb = bomb_png_file()
    assert bomb.size < 4_000_000
    with pytest.raises(Image.DecompressionBombError):
        Image.open(bomb)


def test_bomb_media_error_says_too_many_pixels(alice):
    with pytest.raises(ImageInvalidError) as refused:
        media_create(account=alice, file=bomb_png_file())
    assert "too many pixels" in refused.value.message


@pytest.mark.parametrize("field", ["header", "avatar"])
def test_bomb_as_profile_image_is_refused_and_the_profile_is_unchanged(alice, field):
    profile_update(account=alice, display_name="Alice", header=image_file(size=(1600, 600)))
    alice.refresh_from_db()
    # The other image sent along is good: it must not be stored either.
    images = {"avatar": image_file(), "header": image_file(size=(1600, 600)), field: bomb_png_file()}
    with unchanged(), pytest.raises(ImageInvalidError) as refused:
        profile_update(account=alice, display_name="Changed", note="Changed too", **images)
    assert refused.value.field == field
    assert "too many pixels" in refused.value.message
    stored = Account.objects.get(pk=alice.pk)
    assert stored.display_name == "Alice" and stored.note == ""


def test_non_image_as_profile_header_is_refused(alice):
    with unchanged(), pytest.raises(ImageInvalidError) as refused:
        profile_update(account=alice, header=not_an_image())
    assert refused.value.field == "header"


def test_attaching_someone_elses_or_used_media_is_refused(alice, bob):
    bobs = media_create(account=bob, file=image_file())
    with unchanged(), pytest.raises(StatusInvalidError):
        status_create(author=alice, text="Not my picture", media_ids=[bobs.pk])
    used = media_create(account=alice, file=image_file())
    status_create(author=alice, text="First use", media_ids=[used.pk])
    with unchanged(), pytest.raises(StatusInvalidError):
        status_create(author=alice, text="Second use", media_ids=[used.pk])


def test_five_images_are_refused(alice):
    media = [media_create(account=alice, file=image_file()) for _ in range(5)]
    with unchanged(), pytest.raises(StatusInvalidError) as refused:
        status_create(author=alice, text="Too many", media_ids=[m.pk for m in media])
    assert refused.value.message == "At most 4 images per post."


def test_overlong_image_description_is_refused(alice):
    with unchanged(), pytest.raises(StatusInvalidError):
        media_create(account=alice, file=image_file(), description="x" * 1501)


# --- accounts ---------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["alice", "ALICE", "Alice", "aLiCe"])
def test_duplicate_username_is_refused_whatever_its_case(alice, username):
    with unchanged(), pytest.raises(UsernameError) as refused:
        account_create_local(username=username, email="other@example.com", password=PASSWORD)
    assert refused.value.message == "This username is taken."
    assert refused.value.field == "username"


def test_duplicate_username_caught_by_the_database_leaves_no_user(alice, monkeypatch):
    """Two sign-ups racing past the check: the unique constraint answers, and the User row
    created just before the Account goes too."""
    monkeypatch.setattr("accounts.services.username_validate", lambda *args, **kwargs: None)
    with unchanged(), pytest.raises(UsernameError):
        account_create_local(username="Alice", email="other@example.com", password=PASSWORD)


@pytest.mark.parametrize("username", ["admin", "Admin", "ROOT", "support", "inbox", "Postmaster"])
def test_reserved_username_is_refused(db, username):
    with unchanged(), pytest.raises(UsernameError) as refused:
        account_create_local(username=username, email="x@example.com", password=PASSWORD)
    assert refused.value.message == "This username is reserved."


def test_operators_may_take_a_reserved_name(db):
    account = account_create_local(
        username="admin", email="x@example.com", password=PASSWORD, allow_reserved=True,
    )
    assert account.username == "admin"


@pytest.mark.parametrize(
    "username", ["", "with space", "dash-name", "zoé", "dot.name", "a" * 31, "@zoe"],
)
def test_malformed_username_is_refused(db, username):
    with unchanged(), pytest.raises(UsernameError):
        account_create_local(username=username, email="x@example.com", password=PASSWORD)


def test_duplicate_email_is_refused_whatever_its_case(alice):
    with unchanged(), pytest.raises(ApplicationError) as refused:
        account_create_local(username="zoe", email="ALICE@Example.com", password=PASSWORD)
    assert refused.value.field == "email"


@pytest.mark.parametrize("password", ["short", "password", "12345678", "zoe@example.com"])
def test_weak_password_is_refused(db, password):
    with unchanged(), pytest.raises(ApplicationError) as refused:
        account_create_local(username="zoe", email="zoe@example.com", password=password)
    assert refused.value.field == "password"


def test_wrong_password_does_not_authenticate(alice):
    assert authenticate(username="alice", password=PASSWORD) == alice.user
    for wrong in ("", "wrong", PASSWORD.upper(), PASSWORD + " "):
        assert authenticate(username="alice", password=wrong) is None


def test_wrong_password_on_the_login_page_logs_nobody_in(alice):
    client = Client()
    with unchanged():
        response = client.post("/auth/sign_in", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "do not match" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/home").status_code == 302


# --- relationships and actions on statuses ----------------------------------------------


def test_follow_of_oneself_is_refused(alice):
    with unchanged(), pytest.raises(FollowError) as refused:
        follow_request(follower=alice, target=alice)
    assert refused.value.message == "You cannot follow yourself."


def test_follow_across_a_block_is_refused(alice, bob):
    block_create(account=alice, target=bob)
    for follower, target in ((bob, alice), (alice, bob)):
        with unchanged(), pytest.raises(FollowError):
            follow_request(follower=follower, target=target)


@pytest.mark.parametrize(
    ("visibility", "booster", "error"),
    [
        (Visibility.PRIVATE, "follower", ReblogNotAllowedError),
        (Visibility.PRIVATE, "stranger", NotFoundError),
        (Visibility.DIRECT, "mentioned", ReblogNotAllowedError),
        (Visibility.DIRECT, "author", ReblogNotAllowedError),
        (Visibility.DIRECT, "stranger", NotFoundError),
    ],
)
def test_boost_of_a_private_or_direct_post_is_refused(alice, bob, carol, visibility, booster, error):
    follow_request(follower=bob, target=alice)
    status = status_create(author=alice, text="Only for some @bob", visibility=visibility)
    account = {"follower": bob, "mentioned": bob, "author": alice, "stranger": carol}[booster]
    with unchanged(), pytest.raises(error):
        reblog_create(account=account, status=status)


def test_reply_to_a_status_the_author_cannot_see_is_refused(alice, bob, carol):
    follow_request(follower=bob, target=alice)
    private = status_create(author=alice, text="Followers only", visibility=Visibility.PRIVATE)
    direct = status_create(author=alice, text="Just @bob", visibility=Visibility.DIRECT)
    public = status_create(author=alice, text="Everyone")
    block_create(account=alice, target=carol)
    for parent in (private, direct, public):
        with unchanged(), pytest.raises(NotFoundError):
            status_create(author=carol, text="Let me in @alice", in_reply_to=parent)


def test_edit_to_bad_text_or_by_someone_else_changes_nothing(alice, bob):
    status = status_create(author=alice, text="Original")
    for kwargs in ({"by": alice, "text": ""}, {"by": alice, "text": "a" * 501},
                   {"by": bob, "text": "Hijacked"}):
        with unchanged(), pytest.raises(ApplicationError):
            status_edit(status=Status.objects.get(pk=status.pk), **kwargs)


# --- the same, through the web pages ----------------------------------------------------


def compose(client, text="", **fields):
    data = {"text": text, "visibility": "public", "language": "en", **fields}
    return client.post("/compose", data)


def logged_in(account, *, csrf_checks=False) -> Client:
    client = Client(enforce_csrf_checks=csrf_checks)
    client.force_login(account.user)
    return client


def test_compose_counts_a_link_as_23_characters(alice):
    client = logged_in(alice)
    with unchanged():
        response = compose(client, "a" * 477 + " " + LINK)
    assert response.status_code == 400
    assert "A post has at most 500 characters." in response.content.decode()
    assert compose(client, "a" * 476 + " " + LINK).status_code == 302
    assert Status.objects.get().text.endswith(LINK)


@pytest.mark.parametrize("good_first", [False, True], ids=["bomb alone", "good image then bomb"])
def test_compose_with_a_bomb_image_stores_nothing(alice, good_first):
    images = {"image_1": image_file(), "description_1": "fine"} if good_first else {}
    images.update(image_2=bomb_png_file(), description_2="a bomb")
    client = logged_in(alice)
    with unchanged():
        response = compose(client, "With a bomb", **images)
    assert response.status_code == 400
    assert "too many pixels" in response.content.decode()


def test_compose_with_an_empty_text_and_no_image_is_refused(alice):
    client = logged_in(alice)
    with unchanged():
        response = compose(client, " \n ")
    assert response.status_code == 400
    assert "Write something or attach an image." in response.content.decode()


def csrf_token_from(client: Client, path: str) -> str:
    page = client.get(path).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_posts_without_a_csrf_token_are_refused_and_change_nothing(alice, bob):
    status = status_create(author=bob, text="Boost or star me")
    own = status_create(author=alice, text="Mine")
    client = logged_in(alice, csrf_checks=True)
    posts = [
        ("/compose", {"text": "Forged", "visibility": "public", "language": "en"}),
        (f"/statuses/{status.pk}/reblog", {}),
        (f"/statuses/{status.pk}/favourite", {}),
        (f"/statuses/{own.pk}/delete", {}),
        (f"/statuses/{own.pk}/edit", {"text": "Forged", "language": "en"}),
        ("/@bob/follow", {}),
        ("/@bob/block", {}),
        ("/settings/profile", {"display_name": "Forged", "note": ""}),
    ]
    for path, data in posts:
        with unchanged():
            response = client.post(path, data)
        assert response.status_code == 403, path
    # The refusal is about the token: the same form with its token goes through.
    token = csrf_token_from(client, "/home")
    response = client.post(
        "/compose",
        {"text": "With a token", "visibility": "public", "language": "en",
         "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert Status.objects.filter(account=alice, text="With a token").exists()


@pytest.mark.parametrize(
    ("visibility", "booster", "code"),
    [
        (Visibility.PRIVATE, "follower", 302),  # refused with a message
        (Visibility.PRIVATE, "stranger", 404),
        (Visibility.DIRECT, "mentioned", 302),
        (Visibility.DIRECT, "stranger", 404),
    ],
)
def test_boost_button_on_a_private_post_changes_nothing(alice, bob, carol, visibility, booster, code):
    follow_request(follower=bob, target=alice)
    status = status_create(author=alice, text="Only for some @bob", visibility=visibility)
    client = logged_in({"follower": bob, "mentioned": bob, "stranger": carol}[booster])
    with unchanged():
        response = client.post(f"/statuses/{status.pk}/reblog", follow=code == 302)
    if code == 302:
        assert "This post cannot be boosted." in response.content.decode()
    else:
        assert response.status_code == 404


def test_reply_through_the_page_to_a_status_one_cannot_see_is_a_404(alice, carol):
    public = status_create(author=alice, text="Everyone but carol")
    block_create(account=alice, target=carol)
    client = logged_in(carol)
    with unchanged():
        response = compose(client, "Let me in", in_reply_to=public.pk)
    assert response.status_code == 404


def test_following_oneself_through_the_page_changes_nothing(alice):
    client = logged_in(alice)
    with unchanged():
        response = client.post("/@alice/follow", follow=True)
    assert "You cannot follow yourself." in response.content.decode()


def test_duplicate_username_through_the_sign_up_page_creates_nothing(alice):
    data = {"username": "ALICE", "email": "new@example.com", "password": PASSWORD, "agreement": "on"}
    with unchanged():
        response = Client().post("/auth/sign_up", data)
    assert response.status_code == 400
    assert "This username is taken." in response.content.decode()


def test_bomb_header_through_the_profile_page_changes_nothing(alice):
    client = logged_in(alice)
    with unchanged():
        response = client.post(
            "/settings/profile", {"display_name": "Changed", "note": "", "header": bomb_png_file()},
        )
    assert response.status_code == 400
    assert "too many pixels" in response.content.decode()


def test_a_second_account_can_still_sign_up_normally():
    """The refusals above are about the input: a good sign-up goes through."""
    account = make_local_account("zoe")
    assert Account.objects.filter(pk=account.pk).exists()
