"""Filters v2: a user's keywords and statuses to hide or warn about in some contexts.
`filter_statuses` applies them to a page: hidden statuses leave it, the others carry
Mastodon's `filtered` results."""

import re
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import strip_tags
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from accounts.api.auth import scoped, viewer
from accounts.api.serializers import iso
from accounts.models import Account
from config.errors import ApplicationError, NotFoundError
from statuses.models import Filter, FilterKeyword, FilterStatus, Status
from statuses.permissions import access_status

FILTERS_MAX = 100
KEYWORDS_MAX = 100


class FilterError(ApplicationError):
    pass


# --- applying filters -----------------------------------------------------------------------


ANY_CONTEXT = "*"


def active_filters(viewer: Account | None, context: str | None) -> list[Filter]:
    """The viewer's unexpired filters for `context`; ANY_CONTEXT for all of them."""
    if viewer is None or context is None:
        return []
    now = timezone.now()
    found = (
        Filter.objects.filter(account=viewer)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .prefetch_related("keywords", "statuses")
    )
    return [f for f in found if context == ANY_CONTEXT or context in f.context]


def _keyword_pattern(keyword: FilterKeyword) -> re.Pattern:
    escaped = re.escape(keyword.keyword)
    return re.compile(rf"(?<!\w){escaped}(?!\w)" if keyword.whole_word else escaped, re.IGNORECASE)


def _matches(statuses: list[Status], viewer: Account, filters: list[Filter]) -> dict[int, list]:
    """{status id: [(filter, keyword matches, status matches)]} for the statuses some filter
    matches; one's own posts are never filtered, as on Mastodon."""
    compiled = [(f, [(k, _keyword_pattern(k)) for k in f.keywords.all()]) for f in filters]
    found = {}
    for status in statuses:
        target = status.reblog if status.reblog_id else status
        if target.account_id == viewer.pk:
            continue
        text = " ".join((strip_tags(target.content), target.spoiler_text))
        matched = []
        for item, keywords in compiled:
            keyword_matches = [k.keyword for k, pattern in keywords if pattern.search(text)]
            status_matches = [str(s.status_id) for s in item.statuses.all() if s.status_id == target.pk]
            if keyword_matches or status_matches:
                matched.append((item, keyword_matches or None, status_matches or None))
        if matched:
            found[status.pk] = matched
    return found


def _results(matched: list) -> list[dict]:
    return [
        {"filter": filter_data(item, with_children=False), "keyword_matches": k, "status_matches": s}
        for item, k, s in matched
    ]


def filter_statuses(statuses: list[Status], viewer: Account | None, context: str | None):
    """(kept statuses, {status id: [FilterResult]}) for a page in one context."""
    filters = active_filters(viewer, context)
    if not filters:
        return statuses, {}
    matches = _matches(statuses, viewer, filters)
    kept, results = [], {}
    for status in statuses:
        matched = matches.get(status.pk, [])
        if any(item.action == Filter.Action.HIDE for item, _k, _s in matched):
            continue
        kept.append(status)
        if matched:
            results[status.pk] = _results(matched)
    return kept, results


def filter_results(statuses: list[Status], viewer: Account | None) -> dict[int, list]:
    """{status id: [FilterResult]} from every active filter, hiding nothing: statuses asked for
    by id have no context, so Mastodon lets the client apply the filter's own contexts."""
    filters = active_filters(viewer, ANY_CONTEXT)
    if not filters:
        return {}
    return {pk: _results(matched) for pk, matched in _matches(statuses, viewer, filters).items()}


# --- entities ---------------------------------------------------------------------------------


def keyword_data(keyword: FilterKeyword) -> dict:
    return {"id": str(keyword.pk), "keyword": keyword.keyword, "whole_word": keyword.whole_word}


def filter_status_data(item: FilterStatus) -> dict:
    return {"id": str(item.pk), "status_id": str(item.status_id)}


def filter_data(item: Filter, *, with_children: bool = True) -> dict:
    data = {
        "id": str(item.pk), "title": item.title, "context": item.context,
        "expires_at": iso(item.expires_at), "filter_action": item.action,
    }
    if with_children:
        data["keywords"] = [keyword_data(k) for k in item.keywords.all()]
        data["statuses"] = [filter_status_data(s) for s in item.statuses.all()]
    return data


# --- writes -----------------------------------------------------------------------------------


class KeywordInput(serializers.Serializer):
    id = serializers.CharField(required=False)
    keyword = serializers.CharField(max_length=256, required=False)
    whole_word = serializers.BooleanField(default=True)
    _destroy = serializers.BooleanField(default=False)


class FilterInput(serializers.Serializer):
    title = serializers.CharField(max_length=256)
    context = serializers.ListField(
        child=serializers.ChoiceField(choices=Filter.CONTEXTS), allow_empty=False,
    )
    filter_action = serializers.ChoiceField(choices=Filter.Action.values, default=Filter.Action.WARN)
    expires_in = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                          max_value=10 * 365 * 24 * 3600)
    keywords_attributes = serializers.ListField(child=KeywordInput(), required=False)

    def to_internal_value(self, data):
        if hasattr(data, "getlist"):
            # Form encoding: context[]=home, keywords_attributes[][keyword]=…
            plain = {key: data.get(key) for key in data if not key.endswith("[]") and "][" not in key}
            contexts = data.getlist("context[]") or data.getlist("context")
            if contexts:
                plain["context"] = contexts
            keywords = data.getlist("keywords_attributes[][keyword]")
            if keywords:
                whole = data.getlist("keywords_attributes[][whole_word]")
                plain["keywords_attributes"] = [
                    {"keyword": k, **({"whole_word": whole[i]} if i < len(whole) else {})}
                    for i, k in enumerate(keywords)
                ]
            data = plain
        return super().to_internal_value(data)


def _expiry(values) -> dict:
    if "expires_in" not in values:
        return {}
    seconds = values["expires_in"]
    return {"expires_at": timezone.now() + timedelta(seconds=seconds) if seconds else None}


@transaction.atomic
def filter_save(*, owner: Account, item: Filter | None, values: dict) -> Filter:
    """Create or change a filter and its keywords (add, change by id, `_destroy`)."""
    if item is None:
        if Filter.objects.filter(account=owner).count() >= FILTERS_MAX:
            raise FilterError(f"You can have at most {FILTERS_MAX} filters")
        item = Filter(account=owner)
    for name, field in (("title", "title"), ("context", "context"), ("filter_action", "action")):
        if name in values:
            setattr(item, field, values[name])
    for name, value in _expiry(values).items():
        setattr(item, name, value)
    item.save()
    for attributes in values.get("keywords_attributes", [])[:KEYWORDS_MAX]:
        keyword_id = attributes.get("id")
        if keyword_id:
            keyword = item.keywords.filter(pk=int(keyword_id) if keyword_id.isdigit() else 0).first()
            if keyword is None:
                raise NotFoundError()
            if attributes.get("_destroy"):
                keyword.delete()
                continue
        elif attributes.get("keyword"):
            keyword = FilterKeyword(filter=item)
        else:
            raise FilterError("Validation failed: Keyword can't be blank")
        if attributes.get("keyword"):
            keyword.keyword = attributes["keyword"]
        if "whole_word" in attributes:
            keyword.whole_word = attributes["whole_word"]
        keyword.save()
    if item.keywords.count() > KEYWORDS_MAX:
        raise FilterError(f"A filter has at most {KEYWORDS_MAX} keywords")
    return item


def access_filter(owner: Account, filter_id) -> Filter:
    item = Filter.objects.filter(pk=int(filter_id) if str(filter_id).isdigit() else 0, account=owner).first()
    if item is None:
        raise NotFoundError()
    return item


# --- views ------------------------------------------------------------------------------------


@api_view(["GET", "POST"])
@permission_classes([scoped("read:filters", "write:filters")])
def filters(request):
    me = viewer(request)
    if request.method == "GET":
        found = Filter.objects.filter(account=me).prefetch_related("keywords", "statuses")
        return Response([filter_data(item) for item in found])
    data = FilterInput(data=request.data)
    data.is_valid(raise_exception=True)
    return Response(filter_data(filter_save(owner=me, item=None, values=data.validated_data)))


@api_view(["GET", "PUT", "DELETE"])
@permission_classes([scoped("read:filters", "write:filters")])
def filter_detail(request, filter_id):
    me = viewer(request)
    item = access_filter(me, filter_id)
    if request.method == "DELETE":
        item.delete()
        return Response({})
    if request.method == "PUT":
        data = FilterInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        item = filter_save(owner=me, item=item, values=data.validated_data)
    return Response(filter_data(item))


class SingleKeywordInput(serializers.Serializer):
    keyword = serializers.CharField(max_length=256)
    whole_word = serializers.BooleanField(default=True)


@api_view(["GET", "POST"])
@permission_classes([scoped("read:filters", "write:filters")])
def filter_keywords(request, filter_id):
    item = access_filter(viewer(request), filter_id)
    if request.method == "GET":
        return Response([keyword_data(k) for k in item.keywords.all()])
    data = SingleKeywordInput(data=request.data)
    data.is_valid(raise_exception=True)
    if item.keywords.count() >= KEYWORDS_MAX:
        raise FilterError(f"A filter has at most {KEYWORDS_MAX} keywords")
    return Response(keyword_data(FilterKeyword.objects.create(filter=item, **data.validated_data)))


@api_view(["GET", "PUT", "DELETE"])
@permission_classes([scoped("read:filters", "write:filters")])
def filter_keyword_detail(request, keyword_id):
    keyword = FilterKeyword.objects.filter(
        pk=int(keyword_id) if str(keyword_id).isdigit() else 0, filter__account=viewer(request),
    ).first()
    if keyword is None:
        raise NotFoundError()
    if request.method == "DELETE":
        keyword.delete()
        return Response({})
    if request.method == "PUT":
        data = SingleKeywordInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(keyword, name, value)
        keyword.save()
    return Response(keyword_data(keyword))


@api_view(["GET", "POST"])
@permission_classes([scoped("read:filters", "write:filters")])
def filter_statuses_view(request, filter_id):
    me = viewer(request)
    item = access_filter(me, filter_id)
    if request.method == "GET":
        return Response([filter_status_data(s) for s in item.statuses.all()])
    status = access_status(viewer=me, status_id=request.data.get("status_id"))
    saved, _created = FilterStatus.objects.get_or_create(filter=item, status=status)
    return Response(filter_status_data(saved))


@api_view(["GET", "DELETE"])
@permission_classes([scoped("read:filters", "write:filters")])
def filter_status_detail(request, filter_status_id):
    found = FilterStatus.objects.filter(
        pk=int(filter_status_id) if str(filter_status_id).isdigit() else 0, filter__account=viewer(request),
    ).first()
    if found is None:
        raise NotFoundError()
    rendered = filter_status_data(found)
    if request.method == "DELETE":
        # Mastodon's code answers {}, its documented contract the removed FilterStatus: the
        # contract is what clients are written against.
        found.delete()
    return Response(rendered)


@api_view(["GET"])
@permission_classes([scoped("read:filters")])
def filters_v1(request):
    """The v1 view of the same filters: one entry per keyword."""
    found = Filter.objects.filter(account=viewer(request)).prefetch_related("keywords")
    return Response([
        {"id": str(k.pk), "phrase": k.keyword, "context": item.context, "whole_word": k.whole_word,
         "expires_at": iso(item.expires_at), "irreversible": item.action == Filter.Action.HIDE}
        for item in found for k in item.keywords.all()
    ])
