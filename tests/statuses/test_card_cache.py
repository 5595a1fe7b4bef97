"""The status card and compose form fragments kept in the "fragments" cache (issue 6): a
cached fragment never shows an old version, and nothing one viewer sees of their own (their
buttons, their compose defaults) reaches another."""

import re

import pytest

from accounts.services import follow_request, profile_update, unfollow
from statuses.models import Visibility
from statuses.services import favourite_create, status_create, status_edit
from tests.statuses.test_views import text_of

pytestmark = pytest.mark.django_db


def favourite_button(page: str, status) -> str:
    card = page.split(f'id="status-{status.pk}"', 1)[1].split("</article>", 1)[0]
    button = re.search(r'class="action favourite[^"]*" aria-pressed="(\w+)"', card)
    return button.group(1)


def test_an_edit_and_a_new_display_name_show_on_the_next_page(alice, bob, client_for):
    follow_request(follower=bob, target=alice)
    status = status_create(author=alice, text="First version of the post")
    client = client_for(bob)
    assert "First version of the post" in text_of(client.get("/home"))

    status_edit(status=status, by=alice, text="Second version of the post")
    profile_update(account=alice, display_name="Alice Renamed")
    text = text_of(client.get("/home"))
    assert "Second version of the post" in text and "First version of the post" not in text
    assert "Alice Renamed" in text


def test_cards_shared_between_viewers_keep_each_viewers_buttons(alice, bob, carol, client_for):
    for viewer in (bob, carol):
        follow_request(follower=viewer, target=alice)
    status = status_create(author=alice, text="A post both follow")
    favourite_create(account=bob, status=status)

    bob_page = client_for(bob).get("/home").content.decode()
    carol_page = client_for(carol).get("/home").content.decode()
    assert "A post both follow" in bob_page and "A post both follow" in carol_page
    assert favourite_button(bob_page, status) == "true"
    assert favourite_button(carol_page, status) == "false"


def test_a_post_a_viewer_may_not_see_never_comes_from_the_cache(alice, bob, carol, client_for):
    follow_request(follower=bob, target=alice)
    follow_request(follower=carol, target=alice)
    secret = status_create(author=alice, text="Only for my followers", visibility=Visibility.PRIVATE)
    assert "Only for my followers" in text_of(client_for(bob).get("/home"))  # its card is cached now
    assert client_for(carol).get(f"/@alice/{secret.pk}").status_code == 200

    unfollow(follower=carol, target=alice)
    carol_client = client_for(carol)
    assert carol_client.get(f"/@alice/{secret.pk}").status_code == 404
    assert "Only for my followers" not in text_of(carol_client.get("/@alice"))
    assert "Only for my followers" not in text_of(carol_client.get("/home"))


def test_the_compose_form_keeps_each_users_default_visibility(alice, bob, client_for):
    alice.user.default_visibility = Visibility.PRIVATE
    alice.user.save(update_fields=["default_visibility"])

    alice_page = client_for(alice).get("/home").content.decode()
    bob_page = client_for(bob).get("/home").content.decode()
    assert re.search(r'<option value="private" selected>', alice_page)
    assert re.search(r'<option value="public" selected>', bob_page)
    # Each page has its own CSRF token, outside the cached fields.
    tokens = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
              for page in (alice_page, bob_page)]
    assert tokens[0] != tokens[1]


def test_a_cached_footer_carries_each_pages_own_csrf_field_and_state(alice, bob, carol, client_for):
    for viewer in (bob, carol):
        follow_request(follower=viewer, target=alice)
    status = status_create(author=alice, text="Same buttons, different pages")
    pages = [client_for(viewer).get("/home").content.decode() for viewer in (bob, carol, bob)]

    # bob's second page comes from the cached footer: still his own CSRF token in every form.
    for page in pages:
        card = page.split(f'id="status-{status.pk}"', 1)[1].split("</article>", 1)[0]
        page_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        card_tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', card))
        assert card_tokens == {page_token}
        assert "<csrf-input>" not in page
    assert pages[0] != pages[2]  # a fresh token each time, cache or not

    favourite_create(account=bob, status=status)
    assert favourite_button(client_for(bob).get("/home").content.decode(), status) == "true"
    assert favourite_button(client_for(carol).get("/home").content.decode(), status) == "false"


def test_the_authors_menu_shows_on_the_authors_page_only(alice, bob, client_for):
    follow_request(follower=bob, target=alice)
    status_create(author=alice, text="Mine to edit")
    assert "Edit" in text_of(client_for(alice).get("/home"))
    assert "Edit" not in text_of(client_for(bob).get("/home"))
