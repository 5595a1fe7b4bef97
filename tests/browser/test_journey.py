"""The whole first slice in a real browser (Debian's Chromium through Playwright): a visitor
signs up, confirms by the e-mailed link, logs in and posts; a second user follows them from
their profile, sees the post on Home and favourites it; the first user sees the
notification. Screenshots of each page land in artifacts/screenshots/ for people to look at.
"""

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core import mail

from tests.factories import PASSWORD, make_local_account

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
POST_TEXT = "Hello from the browser"


def i(pattern: str) -> re.Pattern:
    """Case-insensitive, so the test follows the wording of the pages, not their case."""
    return re.compile(pattern, re.IGNORECASE)


@pytest.fixture(autouse=True)
def _allow_db_under_playwright(monkeypatch):
    # Playwright's sync API runs an asyncio event loop in this thread, so Django refuses
    # ORM calls made from the test body ("SynchronousOnlyOperation") although nothing here
    # is async. The live server answers from its own thread either way.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def new_page(browser, width=1280, height=900):
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.set_default_timeout(15_000)
    return page


def shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, base_url, username):
    page.goto(f"{base_url}/auth/sign_in")
    page.get_by_label(i(r"username")).fill(username)
    page.get_by_label(i(r"^password$")).fill(PASSWORD)
    page.get_by_role("button", name=i(r"^log in$")).click()
    page.wait_for_load_state()


def test_journey_signup_post_follow_favourite_notify(live_server, browser):
    from playwright.sync_api import expect

    base = live_server.url

    # A visitor lands on the server's front page and signs up.
    zoe = new_page(browser)
    zoe.goto(f"{base}/")
    expect(zoe.get_by_role("heading", level=1)).to_be_visible()
    shoot(zoe, "landing")
    zoe.get_by_role("link", name=i(r"sign up|create an account")).first.click()
    expect(zoe).to_have_url(i(r"/auth/sign_up$"))
    zoe.get_by_label(i(r"^username$")).fill("zoe")
    zoe.get_by_label(i(r"e-?mail")).fill("zoe@example.com")
    zoe.get_by_label(i(r"^password$")).fill(PASSWORD)
    zoe.get_by_role("checkbox", name=i(r"rules")).check()
    zoe.get_by_role("button", name=i(r"^sign up$")).click()
    expect(zoe).to_have_url(i(r"/auth/sign_up/done$"))

    # Not confirmed yet: the link in the mail (sent in-process by the live server) does it.
    assert len(mail.outbox) == 1, [message.subject for message in mail.outbox]
    link = re.search(r"https?://\S+/auth/confirm/\S+", mail.outbox[0].body).group(0)
    zoe.goto(base + urlparse(link).path)
    expect(zoe.get_by_role("heading", name=i(r"confirmed"))).to_be_visible()

    # Zoe logs in and posts.
    log_in(zoe, base, "zoe")
    expect(zoe).to_have_url(i(r"/home$"))
    compose = zoe.get_by_role("textbox").first
    compose.fill(POST_TEXT)
    zoe.get_by_role("button", name=i(r"^(publish|post|pouet|toot|send)")).first.click()
    zoe.wait_for_load_state()
    zoe.goto(f"{base}/home")
    expect(zoe.get_by_text(POST_TEXT)).to_be_visible()
    shoot(zoe, "home")

    # Bob, already a member, finds Zoe's profile, follows her and sees her post on Home.
    make_local_account("bob")
    bob = new_page(browser)
    log_in(bob, base, "bob")
    bob.goto(f"{base}/@zoe")
    expect(bob.get_by_text(POST_TEXT)).to_be_visible()
    bob.get_by_role("button", name=i(r"^follow( @zoe)?$")).click()
    expect(bob.get_by_role("button", name=i(r"^unfollow( @zoe)?$"))).to_be_visible()
    shoot(bob, "profile")
    bob.goto(f"{base}/home")
    post = bob.locator("article").filter(has_text=POST_TEXT).first
    expect(post).to_be_visible()

    # He opens the post's page, then favourites it from Home.
    paths = [urlparse(href).path for href in post.locator("a[href]").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))",
    )]
    status_path = next((path for path in paths if re.fullmatch(r"/@zoe/\d+", path)), None)
    assert status_path, f"no link to the status page among {paths}"
    bob.goto(base + status_path)
    expect(bob.get_by_text(POST_TEXT)).to_be_visible()
    shoot(bob, "status")
    bob.goto(f"{base}/home")
    post = bob.locator("article").filter(has_text=POST_TEXT).first
    post.get_by_role("button", name=i(r"^favou?rite"), pressed=False).click()
    expect(bob.locator("article").filter(has_text=POST_TEXT).first.get_by_role(
        "button", name=i(r"^favou?rite"), pressed=True,
    )).to_be_visible()

    # Zoe sees the unread count in the navigation, then the notifications themselves.
    zoe.goto(f"{base}/home")
    notifications_link = zoe.get_by_role("navigation").get_by_role("link", name=i(r"notifications"))
    # Two unread: Bob's follow and his favourite.
    expect(notifications_link).to_have_accessible_name(i(r"notifications.*\b2 unread"))
    phone = new_page(browser, width=390, height=844)
    phone.context.add_cookies(zoe.context.cookies())
    phone.goto(f"{base}/home")
    expect(phone.get_by_text(POST_TEXT)).to_be_visible()
    shoot(phone, "home-phone")
    phone.context.close()

    notifications_link.click()
    expect(zoe).to_have_url(i(r"/notifications$"))
    notification = zoe.locator("main").get_by_text(i(r"favou?rited"))
    expect(notification.first).to_be_visible()
    expect(zoe.locator("main")).to_contain_text("bob")
    shoot(zoe, "notifications")
