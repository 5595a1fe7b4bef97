"""The only way out: every request to another server (actors, objects, WebFinger, inboxes,
media) goes through `request`. It sets timeouts and a total deadline, caps the response
size (after decompression), follows at most 3 redirects (each re-checked), refuses
private, loopback, link-local and other non-public addresses at connect time (unless
ALLOW_PRIVATE_ADDRESSES, for test labs), sends our User-Agent, and signs when asked.

Tests replace `transport` (one HTTP exchange, no redirects) with a fake; everything
above it, address checks on literal hosts and redirects included, still runs."""

import ipaddress
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

from config.errors import ApplicationError

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5
READ_TIMEOUT = 10
# The whole exchange, redirects included, a slow-drip server cannot hold us longer.
TOTAL_DEADLINE = 30
MAX_REDIRECTS = 3
# Documents (actors, notes, collections, WebFinger) are small; media have their own cap.
DOCUMENT_MAX_BYTES = 1024 * 1024
ACTIVITY_JSON = "application/activity+json"
LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
ACCEPT_ACTIVITY = f"{ACTIVITY_JSON}, {LD_JSON}"


class RemoteFetchError(ApplicationError):
    """The remote server could not be reached or gave an unusable answer.

    `transient` says whether trying again later may help (timeouts, 5xx, 429)."""

    status_code = 502
    default_message = "The remote server could not be reached."

    def __init__(self, message: str = "", *, status: int | None = None, transient: bool = True):
        super().__init__(message)
        self.status = status
        self.transient = transient


class UnsafeAddressError(RemoteFetchError):
    """The URL points at a private, loopback or otherwise non-public address."""

    def __init__(self, message: str = ""):
        super().__init__(message or "Refusing a non-public address.", transient=False)


@dataclass
class Response:
    status: int
    headers: CaseInsensitiveDict = field(default_factory=CaseInsensitiveDict)
    body: bytes = b""
    url: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self):
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as error:
            raise RemoteFetchError(f"{self.url} did not answer JSON.", transient=False) from error


def user_agent() -> str:
    return f"Pouet/0.1 (+https://{settings.LOCAL_DOMAIN}/)"


# --- addresses ---------------------------------------------------------------------------


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # ::ffff:127.0.0.1 and 64:ff9b::/96-style embeddings are judged by the IPv4 inside.
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            ip = ip.sixtofour
    return ip.is_global and not ip.is_multicast


def _check_address(address: str) -> None:
    if settings.ALLOW_PRIVATE_ADDRESSES:
        return
    if not address_is_public(address):
        raise UnsafeAddressError(f"Refusing to connect to the non-public address {address}.")


def _check_url(url: str) -> None:
    """Checks made before any connection: scheme, host, literal addresses."""
    parts = urlsplit(url)
    allowed_schemes = {"https", "http"} if _insecure_allowed() else {"https"}
    if parts.scheme not in allowed_schemes:
        raise RemoteFetchError(f"Refusing the URL scheme of {url}.", transient=False)
    host = parts.hostname
    if not host:
        raise RemoteFetchError(f"No host in {url}.", transient=False)
    if settings.ALLOW_PRIVATE_ADDRESSES:
        return
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise UnsafeAddressError(f"Refusing to connect to {host}.")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return  # a name: checked on the resolved address at connect time
    _check_address(host)


def _insecure_allowed() -> bool:
    """Plain http only where nobody can be harmed by it: labs and development."""
    return settings.ALLOW_PRIVATE_ADDRESSES or settings.DEBUG


def _resolve_public(host: str, port: int) -> list[tuple]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise RemoteFetchError(f"Cannot resolve {host}.") from error
    for info in infos:
        _check_address(info[4][0])
    return infos


class _SafeConnectionMixin:
    """Resolve the host ourselves and connect only to an address we checked, so a DNS
    answer cannot change between the check and the connection (rebinding)."""

    def _new_conn(self):
        infos = _resolve_public(self._dns_host, self.port)
        last_error = None
        for family, socktype, proto, _name, sockaddr in infos:
            sock = socket.socket(family, socktype, proto)
            try:
                # urllib3's own options (TCP_NODELAY): without it a POST's body waits for the
                # ACK of its headers, a delayed ACK of 40 ms on every reused connection.
                for option in self.socket_options or ():
                    sock.setsockopt(*option)
                sock.settimeout(CONNECT_TIMEOUT)
                sock.connect(sockaddr)
                sock.settimeout(READ_TIMEOUT)
                return sock
            except OSError as error:
                last_error = error
                sock.close()
        raise NewConnectionError(self, f"Failed to connect to {self._dns_host}: {last_error}")


class _SafeHTTPConnection(_SafeConnectionMixin, HTTPConnection):
    pass


class _SafeHTTPSConnection(_SafeConnectionMixin, HTTPSConnection):
    pass


class _SafeHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _SafeHTTPConnection


class _SafeHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _SafeHTTPSConnection


class _SafeAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _SafeHTTPConnectionPool, "https": _SafeHTTPSConnectionPool,
        }


# One session (and connection pool) per thread: requests' sessions are not thread-safe.
_local = threading.local()


def _get_session() -> requests.Session:
    if getattr(_local, "session", None) is None:
        session = requests.Session()
        # No proxies from the environment: a proxy would connect where we did not check.
        session.trust_env = False
        adapter = _SafeAdapter(pool_connections=20, pool_maxsize=20, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        _local.session = session
    return _local.session


def _ca_bundle():
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE") or True


def requests_transport(
    method: str, url: str, headers: dict, body: bytes | None, *, max_bytes: int, deadline: float,
) -> Response:
    """One HTTP exchange over the network, without following redirects."""
    try:
        with _get_session().request(
            method, url, headers=headers, data=body, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            allow_redirects=False, stream=True, verify=_ca_bundle(),
        ) as raw:
            declared = raw.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise RemoteFetchError(f"{url} answered more than {max_bytes} bytes.", transient=False)
            chunks, size = [], 0
            # iter_content decompresses: the cap holds for what we keep, not what travelled.
            for chunk in raw.iter_content(chunk_size=16384):
                size += len(chunk)
                if size > max_bytes:
                    raise RemoteFetchError(f"{url} answered more than {max_bytes} bytes.", transient=False)
                if time.monotonic() > deadline:
                    raise RemoteFetchError(f"{url} took too long to answer.")
                chunks.append(chunk)
            return Response(raw.status_code, CaseInsensitiveDict(raw.headers), b"".join(chunks), url)
    except UnsafeAddressError:
        raise
    except requests.exceptions.ConnectionError as error:
        refusal = _find_refusal(error)
        if refusal is not None:
            raise refusal from None
        raise RemoteFetchError(f"Cannot connect to {urlsplit(url).hostname}: {error}") from error
    except requests.exceptions.RequestException as error:
        raise RemoteFetchError(f"Request to {urlsplit(url).hostname} failed: {error}") from error


def _find_refusal(error: BaseException) -> UnsafeAddressError | None:
    """Our own refusal, raised at connect time, arrives wrapped in urllib3's exceptions."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, UnsafeAddressError):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__ or getattr(error, "reason", None)
    return None


# Tests assign a fake with the same signature.
transport: Callable[..., Response] = requests_transport


def request(
    method: str,
    url: str,
    *,
    headers: dict | None = None,
    body: bytes | None = None,
    sign_with: tuple[str, str] | None = None,
    max_bytes: int = DOCUMENT_MAX_BYTES,
    follow_redirects: bool = True,
) -> Response:
    """Send a request; `sign_with` is (keyId, private key PEM) for an HTTP signature.
    Raises RemoteFetchError for what could not be done; any HTTP status is returned."""
    from .signatures import sign_request

    deadline = time.monotonic() + TOTAL_DEADLINE
    for _hop in range(MAX_REDIRECTS + 1):
        _check_url(url)
        sent = {"User-Agent": user_agent(), **(headers or {})}
        if sign_with is not None:
            sent = sign_request(
                method=method, url=url, headers=sent, body=body,
                key_id=sign_with[0], private_key_pem=sign_with[1],
            )
        response = transport(method, url, sent, body, max_bytes=max_bytes, deadline=deadline)
        response.url = response.url or url
        if follow_redirects and response.status in (301, 302, 303, 307, 308):
            location = response.headers.get("Location")
            if not location:
                return response
            url = urljoin(url, location)
            if response.status == 303:
                method, body = "GET", None
            continue
        return response
    raise RemoteFetchError(f"Too many redirects from {url}.", transient=False)


def get_json(url: str, *, sign_with: tuple[str, str] | None = None, accept: str = ACCEPT_ACTIVITY):
    """GET a JSON document; returns (final URL, parsed JSON). 4xx are permanent errors."""
    response = request("GET", url, headers={"Accept": accept}, sign_with=sign_with)
    if not response.ok:
        transient = response.status >= 500 or response.status in (408, 429)
        raise RemoteFetchError(
            f"{url} answered {response.status}.", status=response.status, transient=transient,
        )
    return response.url or url, response.json()
