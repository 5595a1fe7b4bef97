"""How other servers find us: WebFinger, host-meta and NodeInfo."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Account, RegistrationMode, SiteSettings, User
from federation.activitypub.common import local_base, local_web_base
from federation.services.actors import local_username_from_uri
from statuses.models import Status

from .common import error_response, json_response

JRD = "application/jrd+json; charset=utf-8"


def _webfinger_username(resource: str) -> str | None:
    domain = settings.LOCAL_DOMAIN.lower()
    if resource.startswith("acct:"):
        username, _sep, host = resource[5:].lstrip("@").rpartition("@")
        return username if host.lower() == domain and username else None
    if resource == f"{local_base()}/actor":
        return settings.LOCAL_DOMAIN
    if urlsplit(resource).scheme in ("http", "https"):
        return local_username_from_uri(resource.replace("http://", "https://", 1))
    return None


@require_GET
def webfinger(request):
    resource = request.GET.get("resource", "").strip()
    if not resource:
        return HttpResponseBadRequest("resource is required")
    username = _webfinger_username(resource)
    if username is None:
        return error_response("Not found.", 404)
    domain = settings.LOCAL_DOMAIN
    if username.lower() == domain.lower():
        actor = f"{local_base()}/actor"
        return json_response({
            "subject": f"acct:{domain}@{domain}",
            "aliases": [actor],
            "links": [{"rel": "self", "type": "application/activity+json", "href": actor}],
        }, content_type=JRD)
    account = Account.objects.local().not_suspended().filter(username__iexact=username).first()
    if account is None:
        return error_response("Not found.", 404)
    links = [
        {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
         "href": account.profile_url},
        {"rel": "self", "type": "application/activity+json", "href": account.activitypub_id},
        {"rel": "http://ostatus.org/schema/1.0/subscribe",
         "template": f"{local_web_base()}/authorize_interaction?uri={{uri}}"},
    ]
    if account.avatar:
        links.append({"rel": "http://webfinger.net/rel/avatar", "type": "image/png",
                      "href": local_web_base() + account.avatar.url})
    return json_response({
        "subject": f"acct:{account.username}@{domain}",
        "aliases": [account.profile_url, account.activitypub_id],
        "links": links,
    }, content_type=JRD)


@require_GET
def host_meta(request):
    template = f"{local_base()}/.well-known/webfinger?resource={{uri}}"
    if request.path.endswith(".json") or "json" in request.headers.get("Accept", ""):
        return json_response({"links": [{"rel": "lrdd", "template": template}]})
    xrd = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template="{template}"/>\n'
        "</XRD>\n"
    )
    response = HttpResponse(xrd, content_type="application/xrd+xml; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def nodeinfo_index(request):
    return json_response({"links": [
        {"rel": f"http://nodeinfo.diaspora.software/ns/schema/{v}",
         "href": f"{local_web_base()}/nodeinfo/{v}"}
        for v in ("2.0", "2.1")
    ]})


def nodeinfo_usage() -> dict:
    now = timezone.now()
    users = User.objects.filter(is_active=True, account__isnull=False,
                                account__suspended_at__isnull=True)

    def active_since(days):
        since = now - timedelta(days=days)
        return users.filter(Q(last_login__gte=since) | Q(account__last_status_at__gte=since)).count()

    return {
        "users": {"total": users.count(), "activeMonth": active_since(30),
                  "activeHalfyear": active_since(180)},
        "localPosts": Status.objects.local().without_reblogs().count(),
    }


@require_GET
def nodeinfo(request, version):
    site = SiteSettings.current()
    software = {"name": "pouet", "version": "0.1.0"}
    document = {
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"outbound": [], "inbound": []},
        "usage": nodeinfo_usage(),
        "openRegistrations": site.registration_mode != RegistrationMode.CLOSED,
        "metadata": {"nodeName": site.name, "nodeDescription": site.description},
    }
    schema = f"http://nodeinfo.diaspora.software/ns/schema/{version}#"
    return json_response(document, content_type=f'application/json; profile="{schema}"')
