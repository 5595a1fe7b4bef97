"""The real URLs plus the floor: the cheapest page that does the same kind of work as a
timeline page (one Redis range read, one 20-row SQL query), so every figure can be read as a
ratio to what this machine can do at best in the same run."""

from django.http import HttpResponse
from django.urls import include, path

from statuses.feeds import feed_key, redis_client
from statuses.models import Status


def floor(request):
    """`?account=ID`: ids from that feed in Redis (when there is Redis), then the 20 rows."""
    client = redis_client()
    account_id = request.GET.get("account")
    ids = []
    if client is not None and account_id:
        ids = [int(i) for i in client.zrevrangebyscore(feed_key(int(account_id)), "+inf", "-inf", 0, 20)]
    rows = Status.objects.filter(id__in=ids) if ids else Status.objects.all()
    rows = rows.order_by("-id").values_list("id", "content")[:20]
    body = "".join(f"<article id='{i}'>{content}</article>" for i, content in rows)
    return HttpResponse(f"<!doctype html><title>floor</title><main>{body}</main>")


urlpatterns = [
    path("_bench/floor", floor),
    path("", include("config.urls")),
]
