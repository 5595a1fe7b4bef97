"""The fragments cache keeps rendered HTML compressed and gives it back unchanged."""

from django.core.cache import caches
from django.utils.safestring import SafeString, mark_safe

CARD = mark_safe('<article class="status">' + '<span class="acct">@alice</span> ' * 40 + "</article>")


def test_a_fragment_comes_back_as_it_was_stored_and_takes_less_room():
    fragments = caches["fragments"]
    fragments.clear()
    fragments.set("card", CARD)

    assert fragments.get("card") == CARD
    assert isinstance(fragments.get("card"), SafeString)
    (stored,) = fragments._cache.values()
    assert len(stored) < len(CARD.encode()) / 4


def test_missing_keys_add_and_get_or_set():
    fragments = caches["fragments"]
    fragments.clear()
    assert fragments.get("absent") is None
    assert fragments.get("absent", "default") == "default"

    assert fragments.add("form", "<form></form>") is True
    assert fragments.add("form", "<form>other</form>") is False
    assert fragments.get_or_set("form", "<form>third</form>") == "<form></form>"
    assert fragments.get_or_set("new", "<p>made</p>") == "<p>made</p>"
    assert fragments.get("new") == "<p>made</p>"
