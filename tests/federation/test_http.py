import pytest
from requests.structures import CaseInsensitiveDict

from federation import http


def test_http_refuses_loopback_literal(network):
    with pytest.raises(http.UnsafeAddressError):
        http.request("GET", "https://127.0.0.1/users/x")
    with pytest.raises(http.UnsafeAddressError):
        http.request("GET", "https://[::ffff:127.0.0.1]/users/x")
    with pytest.raises(http.UnsafeAddressError):
        http.request("GET", "https://169.254.169.254/latest/meta-data")
    assert network.sent == []


def test_http_refuses_plain_http_in_production(network):
    with pytest.raises(http.RemoteFetchError):
        http.request("GET", "http://example.com/users/x")


def test_http_rechecks_redirect_targets(network):
    network.add("https://example.com/a", http.Response(
        302, CaseInsensitiveDict({"Location": "https://10.0.0.1/secret"}), b"", "https://example.com/a",
    ))
    with pytest.raises(http.UnsafeAddressError):
        http.request("GET", "https://example.com/a")


def test_http_follows_at_most_three_redirects(network):
    for n in range(5):
        network.add(f"https://example.com/{n}", http.Response(
            301, CaseInsensitiveDict({"Location": f"/{n + 1}"}), b"", "",
        ))
    with pytest.raises(http.RemoteFetchError):
        http.request("GET", "https://example.com/0")
    assert len(network.sent) == 4


def test_http_refuses_names_that_resolve_to_loopback():
    # "localhost" is refused by name; any name resolving to loopback at connect time.
    with pytest.raises(http.UnsafeAddressError):
        http.request("GET", "https://localhost/x")
    with pytest.raises(http.UnsafeAddressError):
        http._resolve_public("localhost", 443)


def test_http_private_addresses_allowed_by_setting(settings, network):
    settings.ALLOW_PRIVATE_ADDRESSES = True
    network.add("https://127.0.0.1/x", {"ok": True})
    assert http.request("GET", "https://127.0.0.1/x").json() == {"ok": True}


def test_http_address_classification():
    assert http.address_is_public("93.184.216.34")
    assert http.address_is_public("2606:2800:220:1:248:1893:25c8:1946")
    for address in ("127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.0.1", "169.254.1.1", "::1",
                    "fe80::1", "fc00::1", "::ffff:10.0.0.1", "0.0.0.0", "100.64.0.1", "224.0.0.1"):
        assert not http.address_is_public(address), address


def test_http_size_cap_on_real_transport(settings):
    """The cap is applied while reading: a local server sends 2 MB, we stop at 1 MB."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"x" * (2 * 1024 * 1024))

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ALLOW_PRIVATE_ADDRESSES = True
    try:
        with pytest.raises(http.RemoteFetchError):
            http.request("GET", f"http://127.0.0.1:{server.server_port}/big")
    finally:
        server.shutdown()


def test_http_real_transport_refuses_loopback_at_connect(settings):
    settings.DEBUG = True  # plain http allowed, addresses still checked
    with pytest.raises(http.UnsafeAddressError):
        http.requests_transport("GET", "http://localhost:9/", {}, None, max_bytes=10, deadline=1e12)


def test_http_connections_send_without_waiting_for_acks(settings):
    """TCP_NODELAY on our connect-time-checked sockets: a POST's body goes out without
    waiting for the ACK of its headers (a delayed ACK costs 40 ms per request)."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    settings.ALLOW_PRIVATE_ADDRESSES = True
    try:
        connection = http._SafeHTTPConnection("127.0.0.1", listener.getsockname()[1])
        sock = connection._new_conn()
        try:
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        finally:
            sock.close()
    finally:
        listener.close()
