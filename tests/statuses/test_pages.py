"""The frame every page shares (navigation, landmarks, language, errors) and the landing
page visitors see first."""

import re

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from accounts.models import RegistrationMode, ServerRule, SiteSettings
from statuses.models import Visibility
from statuses.services import favourite_create, status_create
from statuses.templatetags.statuses_tags import NOTIFICATION_ICONS, VISIBILITY_ICONS
from tests.statuses.test_views import text_of

pytestmark = pytest.mark.django_db


def set_registration_mode(mode):
    site = SiteSettings.current()
    site.registration_mode = mode
    site.save()


def test_landing_says_what_the_server_is(alice, client):
    site = SiteSettings.current()
    site.name = "Jardin"
    site.description = "A server for gardeners."
    site.save()
    ServerRule.objects.create(text="Be kind.", hint="Disagree with ideas, not people.")
    status_create(author=alice, text="Tomatoes are red")
    status_create(author=alice, text="Secret garden", visibility=Visibility.PRIVATE)

    page = client.get("/")
    text = text_of(page)
    assert "Jardin" in text and "A server for gardeners." in text
    assert "Be kind." in text and "Disagree with ideas, not people." in text
    assert "1 person" in text and "2 posts" in text
    assert "Create an account" in text
    assert "Tomatoes are red" in text
    assert "Secret garden" not in text


def test_landing_when_registrations_need_approval_or_are_closed(client):
    set_registration_mode(RegistrationMode.APPROVAL)
    text = text_of(client.get("/"))
    assert "Create an account" in text
    assert "reviewed by the moderators" in text

    set_registration_mode(RegistrationMode.CLOSED)
    text = text_of(client.get("/"))
    assert "Registrations are closed" in text
    assert "Create an account" not in text


def test_visitor_navigation_offers_log_in_and_sign_up(client):
    page = client.get("/public/local").content.decode()
    assert 'href="/auth/sign_in"' in page and 'href="/auth/sign_up"' in page
    assert "Log out" not in page


def test_logged_in_navigation(alice, client_for):
    page = client_for(alice).get("/home").content.decode()
    for href in ("/home", "/notifications", "/public/local", "/public", "/bookmarks",
                 "/favourites", "/@alice", "/settings/preferences", "/compose"):
        assert f'href="{href}"' in page, href
    assert re.search(r'<a href="/home" aria-current="page">', page)
    # Logging out is a POST (a link could be triggered by any page).
    assert re.search(r'<form method="post" action="/auth/sign_out">', page)


def test_unread_count_counts_only_new_notifications(alice, bob, client_for):
    first = status_create(author=alice, text="One")
    second = status_create(author=alice, text="Two")
    favourite_create(account=bob, status=first)
    client = client_for(alice)
    assert "1 unread" in text_of(client.get("/home"))
    client.get("/notifications")
    favourite_create(account=bob, status=second)
    text = text_of(client.get("/home"))
    assert "1 unread" in text
    page = client.get("/notifications").content.decode()
    assert page.count('class="notification notification-favourite unread"') == 1


def test_every_page_has_landmarks_a_skip_link_and_a_language(alice, client_for):
    page = client_for(alice).get("/home").content.decode()
    assert '<html lang="en"' in page
    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main"' in page
    assert '<nav class="site-nav" aria-label="Main">' in page
    assert '<footer class="site-footer">' in page


def test_the_users_language_is_the_pages_language(alice, client_for):
    alice.user.locale = "fr"
    alice.user.save()
    assert '<html lang="fr"' in client_for(alice).get("/home").content.decode()


def test_status_buttons_have_accessible_names(alice, bob, client_for):
    status_create(author=bob, text="Hello")
    page = client_for(alice).get("/public/local").content.decode()
    for name in ("Reply", "Boost", "Favourite", "Bookmark"):
        assert f'<span class="visually-hidden">{name}</span>' in page, name
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', page)


def test_a_post_one_may_not_see_answers_like_a_missing_one(alice, bob, client_for):
    hidden = status_create(author=alice, text="Followers only", visibility=Visibility.PRIVATE)
    client = client_for(bob)
    private = client.get(f"/@alice/{hidden.pk}")
    missing = client.get(f"/@alice/{hidden.pk + 1}")
    assert private.status_code == missing.status_code == 404

    def without_tokens(response):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())

    assert without_tokens(private) == without_tokens(missing)
    assert "This page does not exist" in text_of(private)


def test_error_pages_render(rf, client):
    assert "This page does not exist" in text_of(client.get("/tags/nothing"))
    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html
    assert 'href="/"' in html


def test_static_files_the_pages_use_exist():
    static = settings.BASE_DIR / "static"
    for path in ("css/pouet.css", "icons.svg", "images/avatar.svg", "images/logo.svg", "js/pouet.js"):
        assert (static / path).is_file(), path
    sprite = (static / "icons.svg").read_text()
    templates = "".join(
        path.read_text() for path in (settings.BASE_DIR / "templates").rglob("*.html")
    )
    used = set(re.findall(r'{% icon "([\w-]+)"', templates))
    used |= set(VISIBILITY_ICONS.values()) | set(NOTIFICATION_ICONS.values())
    for name in used:
        assert f'id="{name}"' in sprite, name


def test_a_form_without_its_csrf_token_is_refused_with_an_explanation(alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    response = client.post("/compose", {"text": "Hello", "visibility": "public", "language": "en"})
    assert response.status_code == 403
    assert "This form could not be accepted" in text_of(response)
    assert "Nothing was changed." in text_of(response)
    assert not alice.statuses.exists()


def test_moderators_read_statuses_in_the_admin_without_editing_them(alice, admin_client):
    status = status_create(author=alice, text="Looked at by a moderator")
    listing = admin_client.get("/admin/statuses/status/")
    assert listing.status_code == 200
    assert "Looked at by a moderator" in text_of(listing)
    page = admin_client.get(f"/admin/statuses/status/{status.pk}/change/")
    assert page.status_code == 200
    assert 'name="text"' not in page.content.decode()  # read-only: changes go through services
    assert admin_client.post(f"/admin/statuses/status/{status.pk}/delete/").status_code == 403
