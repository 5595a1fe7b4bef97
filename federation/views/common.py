"""What the federation views share: content negotiation, JSON answers, the requester."""

import json

from django.conf import settings
from django.http import HttpResponse

ACTIVITY_CONTENT_TYPE = "application/activity+json; charset=utf-8"


def wants_activitypub(request) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/activity+json" in accept or "application/ld+json" in accept


def activity_response(document: dict, *, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False), content_type=ACTIVITY_CONTENT_TYPE, status=status,
    )
    # Caches must not serve one requester's view of a collection to another.
    response["Vary"] = "Accept, Signature"
    return response


def json_response(document: dict, *, content_type: str = "application/json", status: int = 200):
    response = HttpResponse(json.dumps(document, ensure_ascii=False), content_type=content_type,
                            status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error_response(message: str, status: int) -> HttpResponse:
    return HttpResponse(json.dumps({"error": message}), content_type="application/json",
                        status=status)


class Requester:
    """Who asks for a document: the signing remote account, or nobody (None)."""

    def __init__(self, account=None, refused: str = ""):
        self.account = account
        self.refused = refused


def requester(request) -> Requester:
    """Resolve the signer of a GET. In AUTHORIZED_FETCH mode an unsigned (or badly signed)
    request, or one from a blocked domain, is refused."""
    from federation.services.actors import domain_is_blocked, known_signer

    account = known_signer(request)
    if account is not None and (account.is_suspended or domain_is_blocked(account.domain or "")):
        return Requester(refused="Forbidden.")
    if account is None and settings.AUTHORIZED_FETCH:
        return Requester(refused="Request signature required.")
    return Requester(account)
