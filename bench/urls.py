"""The real URLs plus the floor: the cheapest page that does the same kind of work as a
timeline page (one Redis range read, one 20-row SQL query), so every figure can be read as a
ratio to what this machine can do at best in the same run."""

from django.contrib.auth.hashers import make_password
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.models import User
from statuses.feeds import feed_key, redis_client
from statuses.models import Status


def floor_read(account_id: int | None) -> list[tuple[int, str]]:
    """Ids from the account's feed in Redis (when there is Redis), then those 20 rows; the
    newest 20 rows when there is no feed to read."""
    client = redis_client()
    ids = []
    if client is not None and account_id:
        ids = [int(i) for i in client.zrevrangebyscore(feed_key(int(account_id)), "+inf", "-inf", 0, 20)]
    rows = Status.objects.filter(id__in=ids) if ids else Status.objects.all()
    return list(rows.order_by("-id").values_list("id", "content")[:20])


def floor(request):
    rows = floor_read(request.GET.get("account"))
    body = "".join(f"<article id='{i}'>{content}</article>" for i, content in rows)
    return HttpResponse(f"<!doctype html><title>floor</title><main>{body}</main>")


@csrf_exempt
@require_POST
def floor_signup(request):
    """The least a sign-up can do: hash the password with the configured hasher, insert a row."""
    User.objects.create(
        username=request.POST["username"], email=request.POST["email"],
        password=make_password(request.POST["password"]),
    )
    return HttpResponse(status=201)


urlpatterns = [
    path("_bench/floor", floor),
    path("_bench/floor_signup", floor_signup),
    path("", include("config.urls")),
]
