"""HTTP signatures, draft-cavage (what every fediverse server speaks): `rsa-sha256` over
`(request-target) host date` plus `digest content-type` on requests with a body; `hs2019`
accepted inbound (it means "look at the key", and our keys are RSA). Pure functions: the
keyId → actor lookup lives in federation.services.actors. RFC 9421 signatures are accepted
inbound through the http-message-signatures package.

Time window as Mastodon's (app/lib/signed_request.rb): a signature expires 5 minutes after
its Date, with a clock-skew margin of 1 hour either way."""

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from types import SimpleNamespace
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from http_message_signatures import (
    HTTPMessageSignaturesException,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
)
from http_message_signatures import InvalidSignature as MessageSignatureInvalid
from http_message_signatures.algorithms import RSA_V1_5_SHA256

from config.errors import ApplicationError

SIGNATURE_LIFETIME = timedelta(minutes=5)
CLOCK_SKEW_MARGIN = timedelta(hours=1)
SUPPORTED_ALGORITHMS = {"rsa-sha256", "hs2019"}
_PARAM_RE = re.compile(r'\s*([a-zA-Z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*(?:,|$)')


class SignatureError(ApplicationError):
    """The request's signature is missing, malformed, stale, or does not verify."""

    status_code = 401
    default_message = "Bad HTTP signature."


# --- keys ---------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def load_private_key(pem: str) -> rsa.RSAPrivateKey:
    """Parsed once per process and key text: parsing a 2048-bit key costs milliseconds."""
    return serialization.load_pem_private_key(pem.encode(), password=None)


@lru_cache(maxsize=4096)
def load_public_key(pem: str):
    try:
        return serialization.load_pem_public_key(pem.strip().encode())
    except ValueError as error:
        raise SignatureError("Unreadable public key.") from error


# --- signing ------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def digest_header(body: bytes) -> str:
    """Memoized: one activity's body goes to many inboxes (the same bytes object, whose
    hash Python keeps, so a hit costs no rehashing)."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def http_date(moment: datetime | None = None) -> str:
    return format_datetime(moment or datetime.now(UTC), usegmt=True)


def _signing_string(names: list[str], method: str, path: str, headers) -> str:
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {path}")
        else:
            value = headers.get(name)
            if value is None:
                raise SignatureError(f"Signed header {name} is missing.")
            lines.append(f"{name}: {value.strip()}")
    return "\n".join(lines)


def sign_request(
    *, method: str, url: str, headers: dict, body: bytes | None, key_id: str, private_key_pem: str,
    now: datetime | None = None,
) -> dict:
    """Headers to send: the given ones plus Host, Date, Digest (with a body) and Signature."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    signed = dict(headers)
    signed["Host"] = parts.netloc
    signed["Date"] = http_date(now)
    names = ["(request-target)", "host", "date"]
    if body is not None:
        signed["Digest"] = digest_header(body)
        signed.setdefault("Content-Type", "application/activity+json")
        names += ["digest", "content-type"]
    lowered = {k.lower(): v for k, v in signed.items()}
    string = _signing_string(names, method, path, lowered)
    signature = load_private_key(private_key_pem).sign(
        string.encode(), padding.PKCS1v15(), hashes.SHA256(),
    )
    signed["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return signed


# --- verifying ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedSignature:
    key_id: str
    algorithm: str
    headers: list[str]
    signature: bytes


def parse_signature_header(value: str) -> ParsedSignature:
    params = {}
    position = 0
    while position < len(value):
        match = _PARAM_RE.match(value, position)
        if not match or match.end() == position:
            raise SignatureError("Malformed Signature header.")
        params[match.group(1)] = match.group(2) if match.group(2) is not None else match.group(3)
        position = match.end()
    if not params.get("keyId") or not params.get("signature"):
        raise SignatureError("The Signature header needs keyId and signature.")
    algorithm = (params.get("algorithm") or "hs2019").lower()
    if algorithm not in SUPPORTED_ALGORITHMS:
        raise SignatureError(f"Unsupported signature algorithm {algorithm}.")
    try:
        signature = base64.b64decode(params["signature"], validate=False)
    except ValueError as error:
        raise SignatureError("The signature is not base64.") from error
    # Without `headers`, the draft says only Date is signed: too weak, refused below.
    names = (params.get("headers") or "date").lower().split()
    return ParsedSignature(params["keyId"], algorithm, names, signature)


def check_signed_request(
    *, method: str, path: str, headers, body: bytes | None, now: datetime | None = None,
) -> ParsedSignature:
    """Every check that needs no key: the header parses, the right headers are signed,
    the Date is fresh, and the Digest matches the body. `headers` is case-insensitive."""
    value = headers.get("Signature")
    if not value:
        raise SignatureError("The request is not signed.")
    parsed = parse_signature_header(value)
    required = {"(request-target)", "host", "date"}
    if method.upper() == "POST":
        required.add("digest")
    missing = required - set(parsed.headers)
    if missing:
        raise SignatureError(f"These headers must be signed: {', '.join(sorted(missing))}.")
    check_date(headers.get("Date"), now=now)
    if body is not None and method.upper() == "POST":
        check_digest(headers.get("Digest"), body)
    return parsed


def check_date(value: str | None, *, now: datetime | None = None) -> None:
    if not value:
        raise SignatureError("The Date header is missing.")
    try:
        sent = parsedate_to_datetime(value)
    except (TypeError, ValueError) as error:
        raise SignatureError("The Date header is not a date.") from error
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    if sent > now + CLOCK_SKEW_MARGIN:
        raise SignatureError("The Date header is in the future.")
    if now > sent + SIGNATURE_LIFETIME + CLOCK_SKEW_MARGIN:
        raise SignatureError("The signature has expired.")


def check_digest(value: str | None, body: bytes) -> None:
    if not value:
        raise SignatureError("The Digest header is missing.")
    digests = {}
    for item in value.split(","):
        algorithm, _sep, encoded = item.strip().partition("=")
        digests[algorithm.lower()] = encoded
    if "sha-256" not in digests:
        raise SignatureError("Only SHA-256 digests are accepted.")
    expected = base64.b64encode(hashlib.sha256(body).digest()).decode()
    if digests["sha-256"] != expected:
        raise SignatureError("The Digest does not match the body.")


def signature_matches(
    parsed: ParsedSignature, *, method: str, path: str, headers, public_key_pem: str,
) -> bool:
    key = load_public_key(public_key_pem)
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        string = _signing_string(parsed.headers, method, path, headers)
    except SignatureError:
        return False
    try:
        key.verify(parsed.signature, string.encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


# --- RFC 9421 (inbound) -------------------------------------------------------------------


class _KeyLookup(HTTPSignatureKeyResolver):
    """Hands the library the public key for a keyid through our own lookup."""

    def __init__(self, lookup):
        self.lookup = lookup

    def resolve_public_key(self, key_id: str):
        pem = self.lookup(key_id)
        return load_public_key(pem) if pem else None


def _covers_request(components) -> bool:
    names = {str(c).split(";")[0].strip('"') for c in components}
    return "@method" in names and ("@target-uri" in names or {"@authority", "@path"} <= names)


def verify_rfc9421(*, method: str, url: str, headers, body: bytes | None, lookup) -> None:
    """Verify an RFC 9421 signature (`Signature-Input`/`Signature`), rsa-v1_5-sha256 as
    Mastodon and Fedify send it. `lookup(keyid)` gives the PEM of that key (or None). The
    signature must cover the method and target, and on a POST the Content-Digest of the
    body; `created` obeys the same window as draft-cavage Dates."""
    message = SimpleNamespace(method=method.upper(), url=url, headers=dict(headers.items()))
    verifier = HTTPMessageVerifier(signature_algorithm=RSA_V1_5_SHA256, key_resolver=_KeyLookup(lookup))
    verifier.max_clock_skew = CLOCK_SKEW_MARGIN
    try:
        results = verifier.verify(
            message, max_age=SIGNATURE_LIFETIME,
            body=body if method.upper() == "POST" else None,
        )
    except (MessageSignatureInvalid, HTTPMessageSignaturesException) as error:
        raise SignatureError(f"RFC 9421 signature refused: {error}") from error
    except SignatureError:
        raise
    for result in results:
        if not _covers_request(result.covered_components):
            raise SignatureError("The signature must cover the method and the target URI.")
        if method.upper() == "POST" and result.body is None:
            raise SignatureError("The signature must cover the Content-Digest.")


def rfc9421_key_id(headers) -> str | None:
    """The keyid of the first signature in Signature-Input, for logging and lookups."""
    match = re.search(r'keyid="([^"]+)"', headers.get("Signature-Input") or "")
    return match.group(1) if match else None
