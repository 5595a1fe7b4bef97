"""The moderation loop in a real browser: a user reports a post with the web form; a
moderator logs into /admin, opens the report and limits the account for 7 days with a
reason; the reported user sees the strike; the audit log shows the action."""

import pytest

from statuses.services import status_create
from tests.browser.test_journey import (  # noqa: F401 (fixtures)
    _allow_db_under_playwright,
    browser,
    i,
    log_in,
    new_page,
    shoot,
)
from tests.factories import PASSWORD, make_local_account

pytestmark = pytest.mark.browser


def test_report_limit_strike_audit(live_server, browser):  # noqa: F811
    from playwright.sync_api import expect

    base = live_server.url
    make_local_account("alice")
    bob = make_local_account("bob")
    make_local_account("mia", role="moderator")
    post = status_create(author=bob, text="Cheap pills, click here")

    # Alice reports Bob's post.
    alice = new_page(browser)
    log_in(alice, base, "alice")
    alice.goto(f"{base}/@bob/report")
    alice.get_by_label(i(r"^spam$")).check()
    alice.locator(f"#status-{post.pk}").check()
    alice.get_by_label(i(r"anything else")).fill("Spam in my mentions")
    shoot(alice, "moderation-report-form")
    alice.get_by_role("button", name=i(r"send the report")).click()
    expect(alice.get_by_text(i(r"the moderators will look at your report"))).to_be_visible()

    # Mia opens the queue in the admin and limits Bob for 7 days.
    mia = new_page(browser)
    mia.goto(f"{base}/admin/login/?next=/admin/")
    mia.locator("#id_username").fill("mia")
    mia.locator("#id_password").fill(PASSWORD)
    mia.locator("input[type=submit]").click()
    expect(mia.locator("#moderation-queue")).to_contain_text("1")
    mia.get_by_role("link", name=i(r"^open reports$")).click()
    mia.get_by_role("link", name=i(r"@bob")).first.click()
    expect(mia.get_by_text("Cheap pills, click here", exact=True)).to_be_visible()
    mia.get_by_label(i(r"account limited")).check()
    mia.get_by_label(i(r"reason, shown")).fill("Spam: limited for a week")
    mia.get_by_label(i(r"how many days")).fill("7")
    mia.locator(f"#act-status-{post.pk}").check()
    shoot(mia, "moderation-report-page")
    mia.get_by_role("button", name=i(r"^apply$")).click()
    expect(mia.get_by_text(i(r"action taken"))).to_be_visible()

    # Bob sees the strike in his settings.
    bob_page = new_page(browser)
    log_in(bob_page, base, "bob")
    bob_page.goto(f"{base}/settings/strikes")
    expect(bob_page.get_by_text(i(r"account limited"))).to_be_visible()
    expect(bob_page.get_by_text("Spam: limited for a week")).to_be_visible()
    shoot(bob_page, "moderation-strikes")

    # The audit log shows who did it, to whom and why.
    mia.goto(f"{base}/admin/moderation/auditlogentry/")
    row = mia.locator("#result_list tr", has_text="account.limit")
    expect(row).to_contain_text("mia")
    expect(row).to_contain_text("@bob")
    expect(row).to_contain_text("Spam: limited for a week")
