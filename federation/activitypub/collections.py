"""Paged OrderedCollections, as Mastodon pages outboxes and follower lists."""

from .common import CONTEXT


def render_collection(*, collection_id: str, total: int | None, first: str | None = None,
                      items: list | None = None) -> dict:
    document = {"@context": CONTEXT, "id": collection_id, "type": "OrderedCollection"}
    if total is not None:
        document["totalItems"] = total
    if first:
        document["first"] = first
    if items is not None:
        document["orderedItems"] = items
    return document


def render_page(*, page_id: str, collection_id: str, items: list, next_url: str | None = None,
                prev_url: str | None = None, total: int | None = None) -> dict:
    document = {
        "@context": CONTEXT, "id": page_id, "type": "OrderedCollectionPage",
        "partOf": collection_id, "orderedItems": items,
    }
    if total is not None:
        document["totalItems"] = total
    if next_url:
        document["next"] = next_url
    if prev_url:
        document["prev"] = prev_url
    return document
