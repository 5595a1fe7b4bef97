"""Hashtag pages on the web, without JavaScript: following a hashtag from its page, the
settings pages of followed and featured hashtags, and featured hashtags on a profile."""

from statuses.models import FeaturedTag, TagFollow
from statuses.services import status_create
from tests.statuses.test_views import text_of


def test_follow_and_unfollow_a_hashtag_from_its_page(alice, bob, client, client_for):
    status_create(author=bob, text="Watering the tomatoes #gardening")
    assert "Follow" not in text_of(client.get("/tags/gardening"))  # visitors have no button
    assert client.post("/tags/gardening/follow").status_code == 302  # to the sign-in page
    assert not TagFollow.objects.exists()

    browser = client_for(alice)
    page = browser.get("/tags/gardening")
    assert 'action="/tags/gardening/follow"' in page.content.decode()
    assert 'aria-label="Follow #gardening"' in page.content.decode()
    assert browser.get("/tags/gardening/follow").status_code == 405

    followed = browser.post("/tags/gardening/follow", {"next": "/tags/gardening"})
    assert followed.status_code == 302 and followed["Location"] == "/tags/gardening"
    assert TagFollow.objects.filter(account=alice, tag__name="gardening").exists()
    page = browser.get("/tags/gardening")
    assert 'action="/tags/gardening/unfollow"' in page.content.decode()
    assert "You follow this hashtag" in text_of(page)
    assert "#gardening" in text_of(browser.get("/settings/followed_tags"))
    assert "Watering the tomatoes" in text_of(browser.get("/home"))

    browser.post("/tags/gardening/unfollow")
    assert not TagFollow.objects.exists()
    assert "You follow no hashtag" in text_of(browser.get("/settings/followed_tags"))
    assert browser.post("/tags/not-a-tag/follow").status_code == 404


def test_featured_hashtags_managed_from_profile_settings_and_shown_on_the_profile(
    alice, bob, client, client_for,
):
    status_create(author=alice, text="Whiskers asleep #cats")
    status_create(author=alice, text="my secret #cats", visibility="private")
    status_create(author=alice, text="no tag")
    status_create(author=bob, text="bob's #cats")
    browser = client_for(alice)
    settings_page = browser.get("/settings/profile")
    assert "Featured hashtags" in text_of(settings_page)
    assert 'action="/settings/featured_tags"' in settings_page.content.decode()

    added = browser.post("/settings/featured_tags", {"name": "#Cats", "next": "/settings/profile"})
    assert added.status_code == 302 and added["Location"] == "/settings/profile"
    featured = FeaturedTag.objects.get(account=alice)
    assert "#cats" in text_of(browser.get("/settings/profile"))

    refused = browser.post("/settings/featured_tags", {"name": "not a tag", "next": "/settings/profile"})
    assert refused.status_code == 400
    assert "is not a valid hashtag" in text_of(refused)
    assert FeaturedTag.objects.count() == 1

    profile = client.get("/@alice")
    assert 'href="/@alice/tagged/cats"' in profile.content.decode()
    assert "1 post" in text_of(profile)  # the public one: counts never reveal private posts
    tagged = text_of(client.get("/@alice/tagged/cats"))
    assert "Whiskers asleep" in tagged
    assert "secret" not in tagged and "no tag" not in tagged and "bob's" not in tagged

    assert client_for(bob).post(f"/settings/featured_tags/{featured.pk}/remove").status_code == 404
    removed = browser.post(f"/settings/featured_tags/{featured.pk}/remove", {"next": "/settings/profile"})
    assert removed.status_code == 302
    assert not FeaturedTag.objects.exists()
    assert 'href="/@alice/tagged/cats"' not in client.get("/@alice").content.decode()


def test_featured_tags_page_suggests_my_most_used_hashtags(alice, client_for):
    status_create(author=alice, text="#birds #fish")
    status_create(author=alice, text="#birds")
    browser = client_for(alice)
    page = browser.get("/settings/featured_tags")
    assert page.status_code == 200
    assert 'aria-label="Feature #birds"' in page.content.decode()
    browser.post("/settings/featured_tags", {"name": "birds"})
    assert 'aria-label="Feature #birds"' not in browser.get("/settings/featured_tags").content.decode()
    assert FeaturedTag.objects.filter(account=alice, tag__name="birds").exists()
