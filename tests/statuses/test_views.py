"""The statuses half of the web UI, through the Django test client: what people do with
posts and what they then see on the pages."""

import re

import pytest
from django.utils import timezone

from accounts.models import Notification
from accounts.services import follow_request
from statuses.models import MediaAttachment, Status, StatusEdit, Visibility
from statuses.selectors import PAGE_SIZE
from statuses.services import media_create, reblog_create, status_create
from tests.factories import image_file, make_remote_account

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page as a person reads it: tags dropped, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(head|script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def compose(client, text="", **fields):
    data = {"text": text, "visibility": "public", "language": "en", "next": "/home", **fields}
    return client.post("/compose", data)


# --- posting ------------------------------------------------------------------------------


def test_compose_post_appears_on_profile_and_home(alice, client_for):
    client = client_for(alice)
    response = compose(client, "Hello from the web #pouet")
    assert response.status_code == 302
    assert response["Location"] == "/home"

    home = client.get("/home")
    assert "Hello from the web" in text_of(home)
    assert "Your post is published." in text_of(home)
    profile = client.get("/@alice")
    assert "Hello from the web" in text_of(profile)
    assert 'href="http://localhost:8000/tags/pouet"' in profile.content.decode()


def test_followers_see_a_post_on_their_home(alice, bob, client_for):
    follow_request(follower=bob, target=alice)
    compose(client_for(alice), "For my followers", visibility="private")
    home = client_for(bob).get("/home")
    assert "For my followers" in text_of(home)
    assert "Followers only" in text_of(home)


def test_compose_form_defaults_to_the_users_visibility(alice, client_for):
    alice.user.default_visibility = Visibility.UNLISTED
    alice.user.save()
    page = client_for(alice).get("/home").content.decode()
    assert '<option value="unlisted" selected>' in page


def test_empty_post_is_refused_with_a_message(alice, client_for):
    response = compose(client_for(alice), "   ")
    assert response.status_code == 400
    assert "Write something or attach an image." in text_of(response)
    assert not Status.objects.exists()


def test_overlong_post_is_refused_and_keeps_the_text(alice, client_for):
    response = compose(client_for(alice), "a" * 501)
    assert response.status_code == 400
    assert "A post has at most 500 characters." in text_of(response)
    assert "a" * 501 in response.content.decode()  # nothing typed is lost
    assert not Status.objects.exists()


def test_post_of_exactly_500_characters_is_accepted(alice, client_for):
    assert compose(client_for(alice), "a" * 500).status_code == 302
    assert Status.objects.get().text == "a" * 500


def test_post_with_images_and_alt_text(alice, client_for):
    client = client_for(alice)
    response = compose(
        client, "Two pictures",
        image_1=image_file(name="one.png"), description_1="A blue square",
        image_2=image_file(name="two.png", color=(200, 30, 30)), description_2="A red square",
    )
    assert response.status_code == 302
    status = Status.objects.get()
    assert [m.description for m in status.media.all()] == ["A blue square", "A red square"]
    page = client.get(status.get_absolute_url()).content.decode()
    assert 'alt="A blue square"' in page
    assert 'alt="A red square"' in page


def test_non_image_upload_is_a_form_error_and_stores_nothing(alice, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    not_an_image = SimpleUploadedFile("notes.png", b"just some text", content_type="image/png")
    response = compose(
        client_for(alice), "With a bad file",
        image_1=image_file(name="one.png"), description_1="fine",
        image_2=image_file(name="two.png"), description_2="fine too",
        image_3=not_an_image, description_3="broken",
    )
    assert response.status_code == 400
    assert "This file is not an image we can use" in text_of(response)
    assert not Status.objects.exists()
    # The two good images went too: nothing is left attached, or waiting to be.
    assert not MediaAttachment.objects.exists()


def test_description_without_an_image_asks_for_the_image(alice, client_for):
    response = compose(client_for(alice), "Hello", description_1="A cat")
    assert response.status_code == 400
    assert "Choose the image for this description." in text_of(response)
    assert not Status.objects.exists()


def test_content_warning_hides_the_text_behind_a_summary(alice, client_for):
    compose(client_for(alice), "The ending of the film", spoiler_text="Film spoilers")
    page = client_for(alice).get("/@alice").content.decode()
    assert re.search(r"<details class=\"cw\">\s*<summary>.*Film spoilers", page, re.S)


# --- replies and threads ------------------------------------------------------------------


def test_reply_form_addresses_the_author_and_shows_in_the_thread(alice, bob, client_for):
    parent = status_create(author=alice, text="What should I read next?")
    client = client_for(bob)
    form = client.get(f"/compose?in_reply_to={parent.pk}")
    assert "@alice " in form.content.decode()
    assert "What should I read next?" in text_of(form)

    response = compose(client, "@alice Dune!", in_reply_to=parent.pk, next=parent.get_absolute_url())
    assert response.status_code == 302
    reply = Status.objects.get(in_reply_to=parent)
    thread = client_for(alice).get(parent.get_absolute_url())
    assert "Dune!" in text_of(thread)
    reply_page = client_for(alice).get(reply.get_absolute_url())
    text = text_of(reply_page)
    assert text.index("What should I read next?") < text.index("Dune!")


def test_reply_to_a_followers_only_post_defaults_to_followers_only(alice, bob, client_for):
    follow_request(follower=bob, target=alice)
    parent = status_create(author=alice, text="Friends only", visibility=Visibility.PRIVATE)
    page = client_for(bob).get(f"/compose?in_reply_to={parent.pk}").content.decode()
    assert '<option value="private" selected>' in page


def test_reply_to_a_post_one_cannot_see_is_not_found(alice, bob, client_for):
    hidden = status_create(author=alice, text="Friends only", visibility=Visibility.PRIVATE)
    assert client_for(bob).get(f"/compose?in_reply_to={hidden.pk}").status_code == 404
    response = compose(client_for(bob), "sneaky", in_reply_to=hidden.pk)
    assert response.status_code == 404
    assert Status.objects.count() == 1


# --- boosts, favourites, bookmarks --------------------------------------------------------


def test_boost_and_unboost(alice, bob, client_for):
    status = status_create(author=alice, text="Boost me")
    client = client_for(bob)
    response = client.post(f"/statuses/{status.pk}/reblog", {"next": "/public/local"})
    assert response.status_code == 302
    assert response["Location"] == "/public/local"
    assert Status.objects.filter(account=bob, reblog=status).exists()
    profile = client.get("/@bob")
    assert "bob boosted" in text_of(profile)
    assert "Boost me" in text_of(profile)
    assert 'aria-pressed="true" title="Undo boost"' in profile.content.decode()

    client.post(f"/statuses/{status.pk}/unreblog")
    assert not Status.objects.filter(account=bob, reblog=status).exists()
    assert "Boost me" not in text_of(client.get("/@bob"))


def test_boost_of_someone_elses_followers_only_post_is_refused(alice, bob, client_for):
    follow_request(follower=bob, target=alice)
    status = status_create(author=alice, text="Just for followers", visibility=Visibility.PRIVATE)
    client = client_for(bob)
    page = client.get(status.get_absolute_url()).content.decode()
    assert "This post cannot be boosted" in page  # the button is disabled, with a reason

    response = client.post(f"/statuses/{status.pk}/reblog", follow=True)
    assert "This post cannot be boosted." in text_of(response)
    assert not Status.objects.filter(reblog=status).exists()


def test_actions_on_a_post_one_cannot_see_are_not_found(alice, bob, client_for):
    hidden = status_create(author=alice, text="Friends only", visibility=Visibility.PRIVATE)
    client = client_for(bob)
    for action in ("reblog", "favourite", "bookmark", "pin", "edit", "delete"):
        assert client.post(f"/statuses/{hidden.pk}/{action}").status_code == 404, action
    assert not Notification.objects.filter(account=alice).exists()


def test_buttons_need_a_post_and_a_login(alice, client, client_for):
    status = status_create(author=alice, text="Hello")
    assert client_for(alice).get(f"/statuses/{status.pk}/favourite").status_code == 405
    response = client.post(f"/statuses/{status.pk}/favourite")
    assert response.status_code == 302
    assert response["Location"].startswith("/auth/sign_in")


def test_favourite_notifies_the_author_with_a_count_in_the_navigation(alice, bob, client_for):
    status = status_create(author=bob, text="A fine day for a walk")
    alice_client, bob_client = client_for(alice), client_for(bob)
    alice_client.post(f"/statuses/{status.pk}/favourite")
    assert status.favourites.filter(account=alice).exists()

    home = bob_client.get("/home")
    assert re.search(r"Notifications 1 1 unread", text_of(home))  # badge, then its spoken form

    page = bob_client.get("/notifications")
    text = text_of(page)
    assert "New: alice favourited your post" in text
    assert "A fine day for a walk" in text
    # Opening the page marks them read: the count leaves the navigation.
    assert "unread" not in text
    assert "unread" not in text_of(bob_client.get("/home"))


def test_unfavourite_and_bookmarks_pages(alice, bob, client_for):
    status = status_create(author=bob, text="Worth keeping")
    client = client_for(alice)
    client.post(f"/statuses/{status.pk}/favourite")
    client.post(f"/statuses/{status.pk}/bookmark")
    assert "Worth keeping" in text_of(client.get("/favourites"))
    assert "Worth keeping" in text_of(client.get("/bookmarks"))

    client.post(f"/statuses/{status.pk}/unfavourite")
    client.post(f"/statuses/{status.pk}/unbookmark")
    assert "Worth keeping" not in text_of(client.get("/favourites"))
    assert "Worth keeping" not in text_of(client.get("/bookmarks"))


def test_redirect_back_refuses_other_sites(alice, bob, client_for):
    status = status_create(author=alice, text="Hello")
    response = client_for(bob).post(
        f"/statuses/{status.pk}/favourite", {"next": "https://evil.example/phish"},
    )
    assert response["Location"] == status.get_absolute_url()


# --- edit, delete, pin --------------------------------------------------------------------


def test_edit_keeps_the_history(alice, client_for):
    status = status_create(author=alice, text="Frist post")
    client = client_for(alice)
    form = client.get(f"/statuses/{status.pk}/edit")
    assert "Frist post" in form.content.decode()

    response = client.post(f"/statuses/{status.pk}/edit", {"text": "First post", "language": "en"})
    assert response.status_code == 302
    page = client.get(status.get_absolute_url())
    assert "First post" in text_of(page)
    assert "Edited" in text_of(page)

    history = client.get(f"/@alice/{status.pk}/history")
    text = text_of(history)
    assert text.index("Current version") < text.index("First post") < text.index("Frist post")
    assert StatusEdit.objects.filter(status=status).count() == 2


def test_edit_refuses_an_empty_text_and_changes_nothing(alice, client_for):
    status = status_create(author=alice, text="Keep me")
    response = client_for(alice).post(f"/statuses/{status.pk}/edit", {"text": "", "language": "en"})
    assert response.status_code == 400
    assert "Write something or attach an image." in text_of(response)
    status.refresh_from_db()
    assert status.text == "Keep me"


def test_only_the_author_may_edit_or_delete(alice, bob, client_for):
    status = status_create(author=alice, text="Mine")
    client = client_for(bob)
    assert client.get(f"/statuses/{status.pk}/edit").status_code == 404
    assert client.post(f"/statuses/{status.pk}/delete").status_code == 404
    assert "Delete" not in text_of(client.get(status.get_absolute_url()))
    assert Status.objects.filter(pk=status.pk).exists()


def test_delete_asks_first_then_removes_the_post_and_its_boosts(alice, bob, client_for):
    status = status_create(author=alice, text="Regrettable")
    reblog_create(account=bob, status=status)
    client = client_for(alice)
    confirm = client.get(f"/statuses/{status.pk}/delete?next=/@alice/{status.pk}")
    assert confirm.status_code == 200
    assert "Delete this post?" in text_of(confirm)
    assert Status.objects.filter(pk=status.pk).exists()

    response = client.post(f"/statuses/{status.pk}/delete", {"next": f"/@alice/{status.pk}"})
    # The post's own page is gone: back to the profile instead.
    assert response["Location"] == "/@alice"
    assert not Status.objects.filter(pk=status.pk).exists()
    assert not Status.objects.filter(reblog_id=status.pk).exists()
    assert client.get(f"/@alice/{status.pk}").status_code == 404
    assert "Regrettable" not in text_of(client_for(bob).get("/@bob"))


def test_pin_shows_the_post_first_on_the_profile(alice, bob, client_for):
    older = status_create(author=alice, text="My introduction")
    status_create(author=alice, text="Something newer")
    client = client_for(alice)
    client.post(f"/statuses/{older.pk}/pin")
    text = text_of(client_for(bob).get("/@alice"))
    assert text.index("Pinned post") < text.index("My introduction") < text.index("Something newer")

    client.post(f"/statuses/{older.pk}/unpin")
    assert "Pinned post" not in text_of(client_for(bob).get("/@alice"))


def test_pinning_someone_elses_post_is_refused(alice, bob, client_for):
    status = status_create(author=alice, text="Not yours")
    response = client_for(bob).post(f"/statuses/{status.pk}/pin", follow=True)
    assert "You can only pin your own posts." in text_of(response)
    assert not status.pins.exists()


# --- pages --------------------------------------------------------------------------------


def test_paging_with_max_id(alice, client_for):
    statuses = [status_create(author=alice, text=f"Post number {n}.") for n in range(PAGE_SIZE + 3)]
    client = client_for(alice)
    first = client.get("/@alice")
    assert "Post number 22." in text_of(first)
    assert "Post number 2." not in text_of(first)
    older = re.search(r'href="\?max_id=(\d+)"', first.content.decode())
    assert older and int(older.group(1)) == statuses[3].pk

    second = client.get(f"/@alice?max_id={older.group(1)}")
    text = text_of(second)
    assert "Post number 2." in text and "Post number 0." in text
    assert "Post number 3." not in text
    assert "Older posts" not in text


def test_timelines_show_public_posts_to_visitors(alice, client):
    status_create(author=alice, text="Public hello #garden")
    status_create(author=alice, text="Quiet hello", visibility=Visibility.UNLISTED)
    for path in ("/public/local", "/public", "/tags/garden", "/tags/GARDEN"):
        text = text_of(client.get(path))
        assert "Public hello" in text, path
        assert "Quiet hello" not in text, path


def test_unknown_tag_is_not_found(client):
    assert client.get("/tags/nothing").status_code == 404


def test_home_and_notifications_need_a_login(client):
    for path in ("/home", "/notifications", "/bookmarks", "/favourites", "/compose"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/auth/sign_in"), path


def test_status_page_needs_the_right_author_in_the_url(alice, bob, client):
    status = status_create(author=alice, text="Hello")
    assert client.get(f"/@alice/{status.pk}").status_code == 200
    assert client.get(f"/@bob/{status.pk}").status_code == 404
    assert client.get("/@alice/12345").status_code == 404


def test_private_post_is_not_found_for_a_stranger(alice, bob, client, client_for):
    status = status_create(author=alice, text="Followers only words", visibility=Visibility.PRIVATE)
    assert client.get(status.get_absolute_url()).status_code == 404
    assert client_for(bob).get(status.get_absolute_url()).status_code == 404
    assert client_for(bob).get(f"/@alice/{status.pk}/history").status_code == 404
    assert "Followers only words" not in text_of(client_for(bob).get("/@alice"))
    assert client_for(alice).get(status.get_absolute_url()).status_code == 200


def test_boost_page_redirects_to_the_original(alice, bob, client):
    status = status_create(author=alice, text="Original")
    reblog = reblog_create(account=bob, status=status)
    response = client.get(f"/@bob/{reblog.pk}")
    assert response.status_code == 302
    assert response["Location"] == status.get_absolute_url()


def test_profile_tabs_and_counts(alice, bob, client):
    follow_request(follower=bob, target=alice)
    parent = status_create(author=bob, text="Question?")
    status_create(author=alice, text="Top-level post")
    status_create(author=alice, text="An answer", in_reply_to=parent)
    picture = media_create(account=alice, file=image_file(), description="A square")
    status_create(author=alice, text="Pictures", media_ids=[picture.pk])
    posts = text_of(client.get("/@alice"))
    assert "Top-level post" in posts and "An answer" not in posts
    assert "3 posts" in posts and "1 follower" in posts and "0 following" in posts
    assert "An answer" in text_of(client.get("/@alice/with_replies"))
    media = text_of(client.get("/@alice/media"))
    assert "Pictures" in media and "Top-level post" not in media


def test_suspended_accounts_profile_is_not_found(alice, client):
    alice.suspended_at = timezone.now()
    alice.save()
    assert client.get("/@alice").status_code == 404


def test_remote_profile_by_user_at_domain(client):
    remote = make_remote_account("carol", "remote.example", display_name="Carol Remote")
    Status.objects.create(
        account=remote, content="<p>Hello from afar</p>", uri="https://remote.example/notes/1",
        url="https://remote.example/@carol/1",
    )
    page = client.get("/@carol@remote.example")
    assert page.status_code == 200
    text = text_of(page)
    assert "Carol Remote" in text and "@carol@remote.example" in text
    assert "Hello from afar" in text
    assert client.get("/@carol").status_code == 404


def test_landing_redirects_logged_in_people_home(alice, client_for):
    response = client_for(alice).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/home"


def test_pages_cost_the_same_number_of_queries_whatever_the_number_of_posts(
    alice, bob, carol, client_for,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    follow_request(follower=alice, target=bob)
    client = client_for(alice)

    def add_posts(count):
        for n in range(count):
            picture = media_create(account=carol, file=image_file())
            parent = status_create(author=carol, text=f"Photo {n}", media_ids=[picture.pk])
            reblog_create(account=bob, status=status_create(author=carol, text="Reply", in_reply_to=parent))
            status_create(author=bob, text=f"Hello @alice {n}")

    def queries(path):
        with CaptureQueriesContext(connection) as context:
            assert client.get(path).status_code == 200
        return len(context.captured_queries)

    add_posts(1)
    paths = ["/home", "/@bob", "/public/local", "/notifications"]
    for path in paths:  # the first request also creates the site settings row
        queries(path)
    before = {path: queries(path) for path in paths}
    add_posts(4)
    assert {path: queries(path) for path in paths} == before
