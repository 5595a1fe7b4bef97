"""Mastodon's paging: `max_id` (older than), `since_id` (newer than, newest first),
`min_id` (just newer than, oldest first then reversed), `limit` clamped to the endpoint's
maximum, and a `Link` header pointing at the next (older) and previous (newer) pages."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError

from .serializers import base_url


@dataclass(frozen=True)
class PageParams:
    limit: int
    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None


def _id_param(request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({name: ["is not a valid id"]}) from None
    if number < 0 or number >= 1 << 63:
        raise ValidationError({name: ["is not a valid id"]})
    return number


def page_params(request, *, default: int = 20, maximum: int = 40) -> PageParams:
    raw = request.query_params.get("limit")
    limit = default
    if raw not in (None, ""):
        try:
            limit = int(raw)
        except (TypeError, ValueError):
            raise ValidationError({"limit": ["must be a positive integer"]}) from None
        if limit < 1:
            raise ValidationError({"limit": ["must be a positive integer"]})
        limit = min(limit, maximum)
    return PageParams(
        limit=limit,
        max_id=_id_param(request, "max_id"),
        since_id=_id_param(request, "since_id"),
        min_id=_id_param(request, "min_id"),
    )


def paginate(queryset: QuerySet, params: PageParams, *, key: str = "id") -> list:
    """One page of `queryset` by `key`, newest first (a keyset range read)."""
    if params.max_id is not None:
        queryset = queryset.filter(**{f"{key}__lt": params.max_id})
    if params.since_id is not None:
        queryset = queryset.filter(**{f"{key}__gt": params.since_id})
    if params.min_id is not None:
        rows = list(queryset.filter(**{f"{key}__gt": params.min_id}).order_by(key)[: params.limit])
        rows.reverse()
        return rows
    return list(queryset.order_by(f"-{key}")[: params.limit])


def link_header(request, *, first_id, last_id, next_only: bool = False) -> str | None:
    """`Link` with rel="next" (max_id=the page's last id) and rel="prev" (min_id=its first)."""
    if first_id is None or last_id is None:
        return None
    kept = {
        k: v for k, v in request.query_params.lists()
        if k not in ("max_id", "since_id", "min_id")
    }

    def url(**extra) -> str:
        query = [(k, v) for k, values in kept.items() for v in values] + list(extra.items())
        return f"{base_url()}{request.path}?{urlencode(query)}"

    links = [f'<{url(max_id=last_id)}>; rel="next"']
    if not next_only:
        links.append(f'<{url(min_id=first_id)}>; rel="prev"')
    return ", ".join(links)


def with_link(response, request, items: list, *, key=lambda item: item.pk, next_only=False):
    if items:
        header = link_header(
            request, first_id=key(items[0]), last_id=key(items[-1]), next_only=next_only,
        )
        if header:
            response["Link"] = header
    return response
