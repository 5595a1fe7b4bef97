from statuses.services import status_create
from statuses.threads import conversation_mute, muted_statuses, thread_root, thread_roots


def test_thread_roots_follow_replies_to_the_first_post(alice, bob):
    root = status_create(author=alice, text="root")
    reply = status_create(author=bob, text="reply", in_reply_to=root)
    deeper = status_create(author=alice, text="deeper", in_reply_to=reply)
    other = status_create(author=bob, text="another thread")
    assert thread_roots([root.pk, reply.pk, deeper.pk, other.pk, 424242]) == {
        root.pk: root.pk, reply.pk: root.pk, deeper.pk: root.pk, other.pk: other.pk,
    }
    assert thread_root(deeper) == root.pk
    assert thread_roots([]) == {}


def test_a_mute_covers_the_whole_thread_for_its_owner_only(alice, bob):
    root = status_create(author=alice, text="root")
    reply = status_create(author=bob, text="reply", in_reply_to=root)
    other = status_create(author=bob, text="another thread")
    conversation_mute(account=alice, status=reply)
    ids = [root.pk, reply.pk, other.pk]
    assert muted_statuses(viewer=alice, status_ids=ids) == {root.pk, reply.pk}
    assert muted_statuses(viewer=bob, status_ids=ids) == set()
    assert muted_statuses(viewer=None, status_ids=ids) == set()
