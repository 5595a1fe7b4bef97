"""The inbox: checks, stores, answers 202. The work happens in a task.

This is the hot path of a busy server: every check stays (size, JSON shape, blocked domain,
Date, Digest, signature, signer = actor, id on the actor's host), but what can wait for the
worker does (marking the server reachable again, re-checking suspension and the domain),
and the signer's key and the domain's policy come from per-process memos."""

import json
import logging

from django.db import IntegrityError
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from federation.activitypub.activities import parse_activity
from federation.activitypub.common import ParseError, host_of
from federation.services.actors import account_by_uri, domain_is_blocked, signer_keys, verify_request
from federation.services.inbox import inbox_activity_receive
from federation.signatures import SignatureError

from .common import error_response
from .documents import local_account_or_404

logger = logging.getLogger(__name__)

INBOX_MAX_BYTES = 1024 * 1024


def _accepted():
    return HttpResponse(status=202)


@csrf_exempt
@require_POST
def inbox(request, username=None):
    if username is not None:
        local_account_or_404(username)
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > INBOX_MAX_BYTES:
        return error_response("Payload too large.", 413)
    body = request.body
    if len(body) > INBOX_MAX_BYTES:
        return error_response("Payload too large.", 413)
    try:
        activity = parse_activity(json.loads(body))
    except (ValueError, ParseError) as error:
        return error_response(f"Unusable activity: {error}", 400)
    if domain_is_blocked(host_of(activity.actor)):
        return error_response("Forbidden.", 403)
    if activity.type == "Delete" and activity.object_id == activity.actor \
            and account_by_uri(activity.actor) is None:
        # interop(mastodon): a deleted actor we never knew; its key is gone with it.
        return _accepted()
    try:
        signer = verify_request(request, body=body, cached=True)
    except SignatureError as error:
        logger.info("inbox refused %s: %s", activity.id, error.message)
        return error_response(error.message, 401)
    if signer.uri != activity.actor:
        return error_response("The signer is not the activity's actor.", 401)
    if host_of(activity.id) != host_of(activity.actor):
        return error_response("The activity id is not on its actor's host.", 400)
    if signer.is_suspended:
        return _accepted()  # dropped: suspended accounts are not told
    try:
        inbox_activity_receive(activity=activity, signer=signer)
    except IntegrityError:
        # The memoized signer's row was deleted since: forget it; the sender retries later
        # and is then looked up in the database.
        signer_keys.forget_where(lambda cached: cached.pk == signer.pk)
        return error_response("Try again later.", 503)
    return _accepted()
