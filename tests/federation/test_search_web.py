"""The web search page: remote handles and URLs resolved through federation (outbound HTTP
on the fake network), plain words over known accounts and hashtags; remote avatars and
headers shown from their origin URL."""

from django.urls import reverse

from federation.models import ActorInfo
from statuses.models import Visibility
from statuses.services import status_create
from tests.factories import make_remote_account
from tests.federation.test_resolve import DAVE, actor_document, note

SEARCH = reverse("statuses:search")
WEBFINGER = "https://remote.example/.well-known/webfinger?resource=acct:dave@remote.example"


def _dave_on_the_network(network):
    network.add(WEBFINGER, {"subject": "acct:dave@remote.example",
                            "links": [{"rel": "self", "type": "application/activity+json",
                                       "href": DAVE}]})
    network.add(DAVE, actor_document(DAVE, "dave", name="Dave Remote",
                                     icon={"type": "Image", "url": "https://cdn.remote.example/dave.png"},
                                     image={"type": "Image", "url": "https://cdn.remote.example/banner.png"}))


def test_search_box_in_navigation_for_logged_in_users(client, client_for, alice):
    page = client_for(alice).get(reverse("statuses:home")).content.decode()
    assert f'action="{SEARCH}"' in page and 'for="nav-search-q"' in page
    assert f'action="{SEARCH}"' not in client.get(reverse("statuses:local")).content.decode()


def test_handle_is_resolved_and_shown_with_follow_button(client_for, alice, network):
    _dave_on_the_network(network)
    for query in ("@dave@remote.example", "dave@remote.example"):
        response = client_for(alice).get(SEARCH, {"q": query})
        assert response.status_code == 200
        page = response.content.decode()
        assert "Dave Remote" in page and "@dave@remote.example" in page
        assert reverse("accounts:follow", kwargs={"acct": "dave@remote.example"}) in page
        # Task 2: the remote avatar comes from its origin URL.
        assert 'src="https://cdn.remote.example/dave.png"' in page


def test_post_url_is_resolved_and_shown_as_a_card(client_for, alice, network):
    url = f"{DAVE}/statuses/9"
    network.add(DAVE, actor_document(DAVE, "dave"))
    network.add(url, note(url, DAVE, content="<p>hello from afar</p>"))
    response = client_for(alice).get(SEARCH, {"q": url})
    assert response.status_code == 200
    assert "hello from afar" in response.content.decode()


def test_resolution_failures_say_not_found(client_for, alice, network):
    network.add("https://down.example/users/x", 500)
    for query in ("@nobody@remote.example", "https://down.example/users/x",
                  "https://remote.example/nothing", "@bad@@x"):
        response = client_for(alice).get(SEARCH, {"q": query})
        assert response.status_code == 200
        assert "Not found" in response.content.decode()


def test_visitors_do_not_fetch_from_other_servers(client, db, network):
    _dave_on_the_network(network)
    response = client.get(SEARCH, {"q": "@dave@remote.example"})
    assert response.status_code == 200
    assert network.sent == []
    assert "Log in to look it up" in response.content.decode()


def test_private_post_found_by_url_is_not_shown(client_for, alice, bob):
    secret = status_create(author=bob, text="secret words", visibility=Visibility.PRIVATE)
    url = f"https://pouet.test/@bob/{secret.pk}"
    response = client_for(alice).get(SEARCH, {"q": url})
    assert "secret words" not in response.content.decode()


def test_plain_words_find_accounts_and_visible_hashtags(client_for, alice, bob):
    make_remote_account("bobby", "remote.example", display_name="Bobby Far")
    status_create(author=bob, text="about #bobcats", visibility=Visibility.PUBLIC)
    status_create(author=bob, text="hidden #bobsecret", visibility=Visibility.DIRECT)
    page = client_for(alice).get(SEARCH, {"q": "bob"}).content.decode()
    assert "@bob<" in page and "@bobby@remote.example" in page
    assert "#bobcats" in page and "bobsecret" not in page
    assert reverse("accounts:follow", kwargs={"acct": "bobby@remote.example"}) in page


def test_remote_header_and_avatar_on_profile_only_https_and_escaped(client, remote_carol):
    ActorInfo.objects.create(account=remote_carol, avatar_url='https://cdn.example/a.png?x="><b>',
                             header_url="http://cdn.example/h.png")
    page = client.get(reverse("statuses:profile", kwargs={"acct": "carol@remote.example"})).content.decode()
    assert 'src="https://cdn.example/a.png?x=&quot;&gt;&lt;b&gt;"' in page
    assert "http://cdn.example/h.png" not in page
    ActorInfo.objects.filter(account=remote_carol).update(header_url="https://cdn.example/h.png")
    page = client.get(reverse("statuses:profile", kwargs={"acct": "carol@remote.example"})).content.decode()
    assert 'src="https://cdn.example/h.png"' in page
