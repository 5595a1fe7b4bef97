from accounts.services import follow_request
from statuses.selectors import timeline_home
from statuses.services import status_create


def test_home_feed_shows_followed_accounts_post(alice, bob):
    follow_request(follower=bob, target=alice)
    status = status_create(author=alice, text="Hello #world @bob")
    assert timeline_home(viewer=bob) == [status]
    assert 'class="mention hashtag"' in status.content
