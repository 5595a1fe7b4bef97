"""RFC 9421 signatures inbound: signed by the http-message-signatures package's signer
(with the fixed test key), received through the Django test client."""

import datetime
import json
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives import serialization
from http_message_signatures import HTTPMessageSigner, HTTPSignatureKeyResolver
from http_message_signatures.algorithms import RSA_V1_5_SHA256

from accounts.models import Follow
from tests.factories import FIXED_PRIVATE_KEY

CAROL = "https://remote.example/users/carol"
ALICE = "https://pouet.test/users/alice"
FOLLOW = {"id": f"{CAROL}#follows/rfc", "type": "Follow", "actor": CAROL, "object": ALICE}


class Keys(HTTPSignatureKeyResolver):
    def resolve_private_key(self, key_id):
        return serialization.load_pem_private_key(FIXED_PRIVATE_KEY.encode(), password=None)


def signed_headers(body, *, components=("@method", "@target-uri"), created=None, path="/inbox", digest=True):
    message = SimpleNamespace(method="POST", url=f"https://pouet.test{path}",
                              headers={"Content-Type": "application/activity+json"})
    HTTPMessageSigner(signature_algorithm=RSA_V1_5_SHA256, key_resolver=Keys()).sign(
        message, key_id=f"{CAROL}#main-key", covered_component_ids=components, label="sig1",
        created=created or datetime.datetime.now(datetime.UTC), body=body if digest else None,
    )
    return {k: v for k, v in message.headers.items() if k != "Content-Type"}


@pytest.fixture
def send(client, django_capture_on_commit_callbacks, network):
    def post(body, headers, path="/inbox"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.generic("POST", path, body, content_type="application/activity+json",
                                  headers={**headers, "Host": "pouet.test"}, secure=True)
    return post


def test_rfc9421_signed_follow_is_accepted(send, alice, remote_carol):
    body = json.dumps(FOLLOW).encode()
    assert send(body, signed_headers(body)).status_code == 202
    assert Follow.objects.filter(account=remote_carol, target_account=alice).exists()


def test_rfc9421_tampered_body_refused(send, alice, remote_carol):
    body = json.dumps(FOLLOW).encode()
    headers = signed_headers(body)
    assert send(json.dumps({**FOLLOW, "type": "Block"}).encode(), headers).status_code == 401


def test_rfc9421_requires_digest_and_target(send, alice, remote_carol):
    body = json.dumps(FOLLOW).encode()
    assert send(body, signed_headers(body, digest=False)).status_code == 401
    assert send(body, signed_headers(body, components=("@method",))).status_code == 401


def test_rfc9421_stale_signature_refused(send, alice, remote_carol):
    body = json.dumps(FOLLOW).encode()
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=2)
    assert send(body, signed_headers(body, created=old)).status_code == 401


def test_rfc9421_other_target_refused(send, alice, remote_carol):
    body = json.dumps(FOLLOW).encode()
    headers = signed_headers(body, path="/users/alice/inbox")
    assert send(body, headers).status_code == 401
