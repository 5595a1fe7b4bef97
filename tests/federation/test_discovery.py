from accounts.models import RegistrationMode, SiteSettings
from statuses.services import status_create
from tests.federation.conftest import ap_get


def test_webfinger_acct_and_urls(client, alice):
    for resource in ("acct:alice@pouet.test", "https://pouet.test/users/alice", "https://pouet.test/@alice"):
        response = client.get("/.well-known/webfinger", {"resource": resource})
        assert response.status_code == 200, resource
        jrd = response.json()
        assert jrd["subject"] == "acct:alice@pouet.test"
        rels = {link["rel"]: link for link in jrd["links"]}
        assert rels["self"]["href"] == "https://pouet.test/users/alice"
        assert rels["self"]["type"] == "application/activity+json"
        assert "http://webfinger.net/rel/profile-page" in rels
        assert "{uri}" in rels["http://ostatus.org/schema/1.0/subscribe"]["template"]


def test_webfinger_unknown_or_foreign(client, alice):
    assert client.get("/.well-known/webfinger", {"resource": "acct:nobody@pouet.test"}).status_code == 404
    assert client.get("/.well-known/webfinger", {"resource": "acct:alice@other.test"}).status_code == 404
    assert client.get("/.well-known/webfinger").status_code == 400


def test_webfinger_instance_actor(client, db):
    jrd = client.get("/.well-known/webfinger", {"resource": "acct:pouet.test@pouet.test"}).json()
    assert jrd["links"][0]["href"] == "https://pouet.test/actor"


def test_host_meta_xml_and_json(client, db):
    xml = client.get("/.well-known/host-meta")
    assert xml["Content-Type"].startswith("application/xrd+xml")
    assert b"https://pouet.test/.well-known/webfinger?resource={uri}" in xml.content
    assert client.get("/.well-known/host-meta.json").json()["links"][0]["rel"] == "lrdd"


def test_nodeinfo_real_numbers(client, alice, bob):
    status_create(author=alice, text="one")
    status_create(author=bob, text="two")
    links = client.get("/.well-known/nodeinfo").json()["links"]
    assert {link["href"].rsplit("/", 1)[1] for link in links} == {"2.0", "2.1"}
    for version in ("2.0", "2.1"):
        info = client.get(f"/nodeinfo/{version}").json()
        assert info["version"] == version
        assert info["usage"]["users"]["total"] == 2
        assert info["usage"]["localPosts"] == 2
        assert info["usage"]["users"]["activeMonth"] == 2
        assert info["openRegistrations"] is True
        assert info["protocols"] == ["activitypub"]
    site = SiteSettings.current()
    site.registration_mode = RegistrationMode.CLOSED
    site.name = "Petit"
    site.save()
    info = client.get("/nodeinfo/2.0").json()
    assert info["openRegistrations"] is False
    assert info["metadata"]["nodeName"] == "Petit"


def test_instance_actor_is_an_application(client, db):
    document = ap_get(client, "/actor").json()
    assert document["type"] == "Application"
    assert document["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY")
    assert document["publicKey"]["id"] == "https://pouet.test/actor#main-key"
