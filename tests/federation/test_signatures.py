from datetime import UTC, datetime, timedelta

import pytest
from requests.structures import CaseInsensitiveDict

from federation.signatures import (
    SignatureError,
    check_signed_request,
    parse_signature_header,
    sign_request,
    signature_matches,
)
from tests.factories import FIXED_PRIVATE_KEY, FIXED_PUBLIC_KEY

OTHER_PUBLIC_KEY = """-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEVs/o5+uQbTjL3chynL4wXgUg2R9
q9UU8I5mEovUf86QZ7kOBIjJwqnzD1omageEHWwHdBO6B+dFabmdT9POxg==
-----END PUBLIC KEY-----
"""
KEY_ID = "https://remote.example/users/carol#main-key"
BODY = b'{"type": "Follow"}'


def signed(method="POST", body=BODY, now=None, url="https://pouet.test/inbox"):
    headers = sign_request(method=method, url=url, headers={}, body=body, key_id=KEY_ID,
                           private_key_pem=FIXED_PRIVATE_KEY, now=now)
    return CaseInsensitiveDict(headers)


def verify(headers, body=BODY, method="POST", path="/inbox", key=FIXED_PUBLIC_KEY):
    parsed = check_signed_request(method=method, path=path, headers=headers, body=body)
    return signature_matches(parsed, method=method, path=path, headers=headers, public_key_pem=key)


def test_signature_round_trip():
    headers = signed()
    assert "digest" in headers["Signature"] and "content-type" in headers["Signature"]
    assert verify(headers)


def test_signature_get_round_trip_with_query():
    headers = signed(method="GET", body=None, url="https://pouet.test/users/alice/outbox?page=1")
    assert verify(headers, body=None, method="GET", path="/users/alice/outbox?page=1")


def test_signature_rejects_bad_digest():
    with pytest.raises(SignatureError):
        verify(signed(), body=b'{"type": "Delete"}')


def test_signature_rejects_tampered_signed_header():
    headers = signed()
    headers["Host"] = "elsewhere.test"
    assert not verify(headers)


def test_signature_rejects_other_path():
    assert not verify(signed(), path="/users/alice/inbox")


def test_signature_rejects_old_and_future_dates():
    with pytest.raises(SignatureError):
        verify(signed(now=datetime.now(UTC) - timedelta(hours=2)))
    with pytest.raises(SignatureError):
        verify(signed(now=datetime.now(UTC) + timedelta(hours=2)))
    # Mastodon's window: 5 minutes plus a 1 hour clock-skew margin.
    assert verify(signed(now=datetime.now(UTC) - timedelta(minutes=50)))


def test_signature_rejects_wrong_key():
    assert not verify(signed(), key=OTHER_PUBLIC_KEY)


def test_signature_requires_date_and_digest_signed():
    headers = signed()
    parsed = parse_signature_header(headers["Signature"])
    weak = headers["Signature"].replace(" ".join(parsed.headers), "(request-target) host date")
    headers["Signature"] = weak
    with pytest.raises(SignatureError, match="digest"):
        verify(headers)
    headers["Signature"] = headers["Signature"].replace('headers="(request-target) host date",', "")
    with pytest.raises(SignatureError):
        verify(headers)


def test_signature_unsigned_request_rejected():
    with pytest.raises(SignatureError):
        verify(CaseInsensitiveDict({"Date": "x"}))


def test_signature_accepts_hs2019():
    headers = signed()
    headers["Signature"] = headers["Signature"].replace("rsa-sha256", "hs2019")
    assert verify(headers)


def test_signature_rejects_unknown_algorithm():
    headers = signed()
    headers["Signature"] = headers["Signature"].replace("rsa-sha256", "hmac-sha256")
    with pytest.raises(SignatureError):
        verify(headers)
