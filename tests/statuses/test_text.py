"""Plain text to HTML (statuses/text.py, statuses/rendering.py, statuses/html.py): what
becomes a mention, a hashtag or a link, how long a post counts, and that nothing a person
types can run in a reader's browser."""

from html.parser import HTMLParser

import pytest

from statuses.html import sanitize_html
from statuses.rendering import render_bio, render_status_text
from statuses.text import (
    URL_PLACEHOLDER_LENGTH,
    hashtags,
    mentioned_accts,
    render_text,
    text_length,
    tokenize,
)
from tests.factories import make_remote_account


def render(text: str) -> str:
    return render_text(
        text, mention_url=lambda acct: f"https://pouet.example/@{acct}",
        tag_url=lambda name: f"https://pouet.example/tags/{name}",
    )


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.value or t.text) for t in tokenize(text) if t.kind != "text"]


# --- mentions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hi @bob", ["bob"]),
        ("@bob, @carol@example.social!", ["bob", "carol@example.social"]),
        ("(@bob) @bob. @bob?", ["bob"]),
        ("@BOB @bob @Bob", ["bob"]),  # one account, whatever the case
        ("@carol@EXAMPLE.Social @carol@example.social", ["carol@example.social"]),
        ("@snake_case_99", ["snake_case_99"]),
        ("mail bob@example.com", []),  # an e-mail address is not a mention
        ("https://example.com/@bob", []),  # nor a path in a link
        ("https://example.com/@bob@example.com", []),
        ("email@@bob", []),
        ("@" + "x" * 31, []),  # longer than any username
        ("@", []),
        ("a@b", []),
    ],
)
def test_mentions(text, expected):
    assert mentioned_accts(text) == expected


def test_mention_rendering_links_known_accounts_only():
    html = render_text(
        "@bob and @ghost", mention_url=lambda acct: "https://pouet.example/@bob" if acct == "bob" else None,
        tag_url=str,
    )
    assert '<a href="https://pouet.example/@bob" class="u-url mention"' in html
    assert "@<span>bob</span></a>" in html
    assert "@ghost" in html and "/@ghost" not in html


def test_remote_mention_shows_the_username_only():
    html = render("@carol@example.social")
    assert '<a href="https://pouet.example/@carol@example.social"' in html
    assert "@<span>carol</span>" in html
    assert "example.social</span>" not in html


@pytest.mark.django_db
def test_render_status_text_resolves_mentions_to_known_accounts(alice, bob, settings):
    settings.LOCAL_DOMAIN = "pouet.example"  # a handle cannot carry a port (localhost:8000)
    carol = make_remote_account("carol", "example.social")
    html, mentioned = render_status_text(
        f"@BOB @alice@{settings.LOCAL_DOMAIN} @carol@Example.Social @nobody @nobody@nowhere.example"
    )
    assert {a.pk for a in mentioned} == {alice.pk, bob.pk, carol.pk}
    assert f'href="{bob.profile_url}"' in html
    assert f'href="{alice.profile_url}"' in html
    assert 'href="https://example.social/@carol"' in html
    assert "@nobody" in html and "/@nobody" not in html


@pytest.mark.django_db
def test_bio_rendering_makes_links_mentions_and_hashtags_clickable(bob):
    html = render_bio("I am friends with @bob, I like #cats, see https://example.com")
    assert f'href="{bob.profile_url}"' in html
    assert 'class="mention hashtag"' in html and "/tags/cats" in html
    assert 'href="https://example.com"' in html
    assert render_bio("") == ""


# --- hashtags -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#Pouet", ["Pouet"]),
        ("#Tag #tag #TAG #other", ["Tag", "other"]),  # case-insensitive, first spelling wins
        ("#café #CAFÉ", ["café"]),
        ("#日本語 #snake_case #a1", ["日本語", "snake_case", "a1"]),
        ("#hashtag. #end!", ["hashtag", "end"]),
        ("#1 #2024", []),  # digits only are not tags
        ("x#nottag", []),
        ("https://example.com/#anchor", []),
        ("&#39;", []),
        ("#", []),
    ],
)
def test_hashtags(text, expected):
    assert hashtags(text) == expected


def test_hashtag_rendering():
    html = render("Hello #World")
    assert (
        '<a href="https://pouet.example/tags/World" class="mention hashtag" '
        'rel="nofollow noopener noreferrer">#<span>World</span></a>'
    ) in html


# --- links ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("see https://example.com", "https://example.com"),
        ("see http://example.com.", "http://example.com"),  # the full stop ends the sentence
        ("(https://example.com/a_b)", "https://example.com/a_b"),
        ("https://example.com/path?q=1&x=2#frag", "https://example.com/path?q=1&x=2#frag"),
        ("https://例え.jp/パス", "https://例え.jp/パス"),
        ("HTTPS://EXAMPLE.COM/X", "HTTPS://EXAMPLE.COM/X"),
    ],
)
def test_links(text, url):
    assert kinds(text) == [("url", url)]


@pytest.mark.parametrize(
    "text",
    ["javascript:alert(1)", "ftp://example.com", "www.example.com", "example.com",
     "data:text/html,<script>alert(1)</script>", "mailto:bob@example.com"],
)
def test_only_http_and_https_become_links(text):
    assert kinds(text) == []
    assert "<a " not in render(text)


def test_long_link_is_shortened_for_display_but_kept_whole_in_href():
    url = "https://example.com/" + "a" * 50
    html = render(url)
    assert f'href="{url}"' in html
    assert '<span class="ellipsis">example.com/' + "a" * 18 + "</span>" in html
    assert '<span class="invisible">' + "a" * 32 + "</span>" in html
    assert 'rel="nofollow noopener noreferrer"' in html


def test_short_link_shows_without_its_scheme():
    html = render("https://www.example.com/x")
    assert '>example.com/x</a>' in html


# --- escaping -----------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    'https://example.com/a"onmouseover="alert(1)',
    "https://example.com/<script>alert(1)</script>",
    "#tag<img src=x onerror=alert(1)>",
    "@bob<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "<style>body{display:none}</style>",
    "</p><iframe src=https://evil.example></iframe>",
]


class Elements(HTMLParser):
    """The elements and attributes a browser would build from some HTML."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


@pytest.mark.parametrize("text", HOSTILE)
def test_nothing_typed_can_run(text):
    for tag, attributes in Elements(render(text)).elements:
        assert tag in {"p", "a", "span", "br"}
        assert set(attributes) <= {"href", "class", "rel", "translate"}
        if "href" in attributes:
            assert attributes["href"].startswith(("https://", "http://"))


def test_script_is_shown_as_text():
    assert render("<script>alert('hi')</script> & co") == (
        "<p>&lt;script&gt;alert('hi')&lt;/script&gt; &amp; co</p>"
    )


def test_paragraphs_and_line_breaks():
    assert render("one\ntwo\n\nthree\r\nfour") == "<p>one<br>two</p><p>three<br>four</p>"
    assert render("  \n\nlone  \n\n\n ") == "<p>lone</p>"


# --- length ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("", 0),
        ("hello", 5),
        ("é" * 10, 10),
        ("https://example.com/" + "x" * 200, URL_PLACEHOLDER_LENGTH),
        ("https://x.io", URL_PLACEHOLDER_LENGTH),  # a short link counts 23 too, as Mastodon
        ("a https://example.com/long/path b", 2 + 23 + 2),
        ("https://a.example https://b.example", 23 + 1 + 23),
        ("@carol@example.social", len("@carol")),  # a remote mention counts its username
        ("@bob", 4),
        ("#tag", 4),
        ("HTTPS://EXAMPLE.COM/" + "X" * 100, URL_PLACEHOLDER_LENGTH),
    ],
)
def test_text_length(text, length):
    assert text_length(text) == length


# --- the HTML allowlist (ours and remote servers') ----------------------------------------


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<p onclick="x()">hi<script>alert(1)</script></p>', "<p>hi</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="nofollow noopener noreferrer">x</a>'),
        ('<a href="https://ok.example" style="color:red" target="_blank">ok</a>',
         '<a href="https://ok.example" rel="nofollow noopener noreferrer">ok</a>'),
        ('<iframe src="https://x.example"></iframe><b>b</b>', "<b>b</b>"),
        ('<span class="invisible h-card evil">x</span>', '<span class="invisible h-card">x</span>'),
        ("<img src=x onerror=alert(1)>", ""),
    ],
)
def test_sanitize_html(html, expected):
    assert sanitize_html(html) == expected
