from accounts.models import ServerRule
from tests.api.contract import assert_matches_contract


def test_instance_v1_v2_and_rules(db, anon):
    ServerRule.objects.create(text="Be kind", hint="Really.")
    v2 = anon.get("/api/v2/instance")
    assert v2.status_code == 200
    assert_matches_contract(v2, "/api/v2/instance")
    assert v2.json()["rules"][0]["text"] == "Be kind"
    v1 = anon.get("/api/v1/instance")
    assert_matches_contract(v1, "/api/v1/instance")
    rules = anon.get("/api/v1/instance/rules")
    assert_matches_contract(rules, "/api/v1/instance/rules")


def test_instance_contact_account(alice, anon):
    alice.user.is_superuser = True
    alice.user.save()
    v2 = anon.get("/api/v2/instance")
    assert_matches_contract(v2, "/api/v2/instance")
    assert v2.json()["contact"]["account"]["username"] == "alice"


def test_placeholder_avatar_is_an_image(db, anon):
    response = anon.get("/avatars/original/missing.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
