"""Remote actors: fetched (signed, by the instance actor), parsed, upserted on their uri;
HTTP signatures of incoming requests resolved to the Account that made them."""

import logging
import re
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from accounts.models import Account
from federation import http
from federation.activitypub.actors import key_id as local_key_id
from federation.activitypub.actors import parse_actor, parse_featured_tags
from federation.activitypub.common import ParseError, host_of, local_base
from federation.activitypub.notes import plain_text
from federation.memo import ExpiringLRU
from federation.models import ActorInfo, InstanceActor
from federation.signatures import (
    SignatureError,
    check_signed_request,
    rfc9421_key_id,
    signature_matches,
    verify_rfc9421,
)

logger = logging.getLogger(__name__)

_LOCAL_ACTOR_RE = re.compile(r"^/users/(?P<username>[A-Za-z0-9_]+)/?$")
_LOCAL_PROFILE_RE = re.compile(r"^/@(?P<username>[A-Za-z0-9_]+)/?$")


# --- our own identities -------------------------------------------------------------------


def instance_actor() -> InstanceActor:
    """The server's actor row, with its key pair made on first use."""
    from accounts import services as account_services  # the test suite swaps its keygen

    actor = InstanceActor.objects.filter(pk=1).first()
    if actor is None:
        private, public = account_services.generate_key_pair()
        try:
            with transaction.atomic():
                actor = InstanceActor.objects.create(pk=1, private_key=private, public_key=public)
        except IntegrityError:
            actor = InstanceActor.objects.get(pk=1)
    return actor


def signing_identity(account: Account | None) -> tuple[str, str]:
    """(keyId, private key) for signing as a local account, or as the instance actor."""
    if account is None:
        return f"{local_base()}/actor#main-key", instance_actor().private_key
    if not account.private_key:
        from accounts.services import account_keys_ensure

        account_keys_ensure(account_id=account.pk)
        account.refresh_from_db(fields=["private_key", "public_key"])
    return local_key_id(account), account.private_key


def local_username_from_uri(uri: str) -> str | None:
    """`alice` for our actor URI or profile URL of alice; None for anything else."""
    if not uri:
        return None
    parts = urlsplit(uri)
    if parts.netloc.lower() != settings.LOCAL_DOMAIN.lower():
        return None
    match = _LOCAL_ACTOR_RE.match(parts.path) or _LOCAL_PROFILE_RE.match(parts.path)
    return match.group("username") if match else None


def account_by_uri(uri: str | None) -> Account | None:
    """A known account (local or remote) by its ActivityPub id; no network."""
    if not uri:
        return None
    username = local_username_from_uri(uri)
    if username:
        return (
            Account.objects.annotate(lower=Lower("username"))
            .filter(lower=username.lower(), domain__isnull=True).first()
        )
    return Account.objects.filter(uri=uri).first()


# --- remote actors ------------------------------------------------------------------------


def actor_upsert_remote(remote) -> Account:
    """Create or update the Account of a parsed remote actor (on its unique uri)."""
    domain = remote.domain
    if not domain or domain == settings.LOCAL_DOMAIN.lower():
        raise ParseError("A remote actor cannot live on our domain.")
    values = {
        "username": remote.username,
        "display_name": remote.display_name,
        "note": plain_text(remote.summary_html)[:5000],
        "note_html": remote.summary_html,
        "url": remote.url or remote.id,
        "inbox_url": remote.inbox,
        "shared_inbox_url": remote.shared_inbox,
        "outbox_url": remote.outbox,
        "followers_url": remote.followers,
        "locked": remote.locked,
        "bot": remote.bot,
        "discoverable": remote.discoverable,
        "fields": remote.fields,
    }
    if remote.public_key_pem:
        values["public_key"] = remote.public_key_pem
    account = Account.objects.filter(uri=remote.id).first()
    if account is None:
        try:
            with transaction.atomic():
                account = Account.objects.create(uri=remote.id, domain=domain, **values)
        except IntegrityError:
            account = Account.objects.filter(uri=remote.id).first()
            if account is None:
                # Same username@domain under another uri: the old row is stale (the server
                # was reinstalled); it keeps its history, the newcomer takes the name.
                stale = Account.objects.annotate(lu=Lower("username"), ld=Lower("domain")).filter(
                    lu=remote.username.lower(), ld=domain,
                ).first()
                if stale is None:
                    raise
                Account.objects.filter(pk=stale.pk).update(username=f"{stale.username}_{stale.pk}")
                account = Account.objects.create(uri=remote.id, domain=domain, **values)
        from moderation.blocks import account_apply_domain_policy

        # A new account of a limited (or suspended) domain starts limited (or suspended).
        account_apply_domain_policy(account=account)
    else:
        Account.objects.filter(pk=account.pk).update(**values)
        for name, value in values.items():
            setattr(account, name, value)
    from moderation.blocks import domain_policy

    # A domain whose media we reject shows no images of its own, avatars included.
    images = not domain_policy(domain).reject_media
    ActorInfo.objects.update_or_create(
        account=account,
        defaults={
            "key_id": remote.public_key_id, "type": remote.type,
            "avatar_url": remote.avatar_url if images else "",
            "header_url": remote.header_url if images else "", "following_url": remote.following,
            "featured_url": remote.featured, "featured_tags_url": remote.featured_tags,
            "also_known_as": remote.also_known_as, "moved_to": remote.moved_to,
            "fetched_at": timezone.now(),
        },
    )
    if remote.featured_tags:
        from federation.tasks import sync_featured_tags

        # Each fetch or Update of the actor refreshes its featured hashtags, as on Mastodon.
        transaction.on_commit(lambda: sync_featured_tags.send(account.pk))
    return account


def featured_tags_sync_remote(*, account_id: int) -> None:
    """Read a remote actor's `featuredTags` collection (one GET, two when its items are on a
    first page) and keep its featured hashtags as listed there."""
    from statuses.tag_services import FEATURED_TAGS_MAX, featured_tags_replace

    info = ActorInfo.objects.select_related("account").filter(
        account_id=account_id, account__domain__isnull=False,
    ).exclude(featured_tags_url="").first()
    if info is None or host_of(info.featured_tags_url) != info.account.domain:
        return
    names, first_page = parse_featured_tags(fetch_object(info.featured_tags_url), limit=FEATURED_TAGS_MAX)
    if first_page:
        if host_of(first_page) != info.account.domain:
            return
        names, _next = parse_featured_tags(fetch_object(first_page), limit=FEATURED_TAGS_MAX)
    featured_tags_replace(account=info.account, names=names)


def fetch_object(uri: str, *, signer: Account | None = None) -> dict:
    """GET an ActivityPub document, signed. The document's id must be the URL it came from;
    if not, it is fetched again from its own id (same host only), else refused."""
    final_url, data = http.get_json(uri, sign_with=signing_identity(signer))
    if not isinstance(data, dict):
        raise http.RemoteFetchError(f"{uri} is not an object.", transient=False)
    found = data.get("id")
    if found in (uri, final_url):
        if found != uri and host_of(found) != host_of(uri):
            raise http.RemoteFetchError(f"{uri} redirected to another host.", transient=False)
        return data
    if isinstance(found, str) and host_of(found) == host_of(uri):
        _final, data = http.get_json(found, sign_with=signing_identity(signer))
        if isinstance(data, dict) and data.get("id") == found:
            return data
    raise http.RemoteFetchError(f"The document at {uri} claims another id.", transient=False)


def actor_fetch(uri: str, *, key_id: str | None = None) -> Account:
    """Fetch and upsert a remote actor; a key document (GoToSocial's `…/main-key`) leads to
    its owner, which must live on the same host and hold that key."""
    if local_username_from_uri(uri):
        account = account_by_uri(uri)
        if account is None:
            raise http.RemoteFetchError("No such local account.", transient=False)
        return account
    data = fetch_object(uri)
    if "publicKeyPem" in data and not data.get("preferredUsername"):
        owner = data.get("owner") or data.get("controller")
        if not isinstance(owner, str) or host_of(owner) != host_of(uri):
            raise SignatureError("The key's owner lives on another host.")
        data = fetch_object(owner)
    remote = parse_actor(data, key_id=key_id)
    if key_id and remote.public_key_id != key_id:
        raise SignatureError("The actor does not hold that key.")
    return actor_upsert_remote(remote)


def actor_resolve(uri: str) -> Account:
    """A known account, or the remote actor fetched now."""
    account = account_by_uri(uri)
    return account if account is not None else actor_fetch(uri)


def account_resolve_acct(acct: str) -> Account:
    """`user@domain` through WebFinger, then the actor document."""
    username, _sep, domain = acct.lstrip("@").partition("@")
    if not domain or domain.lower() == settings.LOCAL_DOMAIN.lower():
        account = account_by_uri(f"{local_base()}/users/{username}")
        if account is None:
            raise http.RemoteFetchError("No such account.", transient=False)
        return account
    known = Account.objects.annotate(lu=Lower("username"), ld=Lower("domain")).filter(
        lu=username.lower(), ld=domain.lower(),
    ).first()
    if known is not None:
        return known
    resource = quote(f"acct:{username}@{domain}", safe=":@")
    _url, jrd = http.get_json(
        f"https://{domain}/.well-known/webfinger?resource={resource}",
        accept="application/jrd+json, application/json",
    )
    links = jrd.get("links") if isinstance(jrd, dict) else None
    for link in links if isinstance(links, list) else []:
        if (isinstance(link, dict) and link.get("rel") == "self"
                and "json" in str(link.get("type", "")) and isinstance(link.get("href"), str)):
            return actor_fetch(link["href"])
    raise http.RemoteFetchError(f"No ActivityPub actor for {acct}.", transient=False)


# --- signed requests ----------------------------------------------------------------------


def _account_for_key(key_id: str, *, refresh: bool) -> Account | None:
    actor_uri = key_id.split("#", 1)[0]
    if not refresh:
        # The account recorded as holding this keyId, else the one at its URI (our own keys
        # never get here: refused before). Two indexed lookups, not one OR across the join:
        # PostgreSQL answers that by scanning every account.
        accounts = Account.objects.select_related("actor_info")
        at_uri = accounts.filter(uri=actor_uri).first()
        holder = at_uri if at_uri is not None and _recorded_key_id(at_uri) == key_id else (
            accounts.filter(actor_info__key_id=key_id).first())
        account = holder or at_uri
        if account is not None and account.public_key:
            return account
    return actor_fetch(actor_uri, key_id=key_id)


def _recorded_key_id(account: Account) -> str | None:
    try:
        return account.actor_info.key_id
    except ActorInfo.DoesNotExist:
        return None


def _paths(path: str) -> list[str]:
    # interop(mastodon): some servers sign the path without the query string.
    return [path, path.split("?", 1)[0]] if "?" in path else [path]


# keyId → the signer as last verified (its key and the few fields the inbox reads), so the
# inbox's hot path asks the database nothing. Stale at worst for SIGNER_TTL: a rotated key
# fails and is looked up again; suspension and domain blocks are checked again by the
# worker that processes the activity; a changed or deleted Account drops its entries here.
SIGNER_TTL = 300
SIGNER_FIELDS = ("id", "username", "domain", "uri", "public_key", "suspended_at")
signer_keys = ExpiringLRU(maxsize=4096, ttl=SIGNER_TTL)


def _slim(account: Account) -> Account:
    """A detached Account with only SIGNER_FIELDS loaded (any other field loads on access)."""
    return Account.from_db("default", SIGNER_FIELDS,
                           [getattr(account, "pk" if name == "id" else name) for name in SIGNER_FIELDS])


def _forget_signer(sender, instance, **kwargs) -> None:
    signer_keys.forget_where(lambda cached: cached.pk == instance.pk or cached.uri == instance.uri)


post_save.connect(_forget_signer, sender=Account, dispatch_uid="federation.forget_signer.save")
post_delete.connect(_forget_signer, sender=Account, dispatch_uid="federation.forget_signer.delete")


def _signed_by(parsed, *, method: str, path: str, headers, public_key_pem: str) -> bool:
    return any(
        signature_matches(parsed, method=method, path=candidate, headers=headers,
                          public_key_pem=public_key_pem)
        for candidate in _paths(path)
    )


def verify_request(request, *, body: bytes | None, cached: bool = False) -> Account:
    """The account whose key signed this Django request (draft-cavage `Signature`, or RFC
    9421 `Signature-Input`); SignatureError otherwise. A failing cached key is refetched
    once (the actor may have rotated its keys). With `cached`, a signer verified recently
    in this process is trusted without the database (see `signer_keys`): only the inbox,
    whose worker checks again, asks for that."""
    if request.headers.get("Signature-Input"):
        return _verify_rfc9421(request, body=body)
    method = request.method
    path = request.get_full_path()
    parsed = check_signed_request(method=method, path=path, headers=request.headers, body=body)
    _refuse_own_key(parsed.key_id)
    known = signer_keys.get(parsed.key_id) if cached else None
    if known is not None and _signed_by(parsed, method=method, path=path, headers=request.headers,
                                        public_key_pem=known.public_key):
        return known
    for refresh in (False, True):
        account = _signer_account(parsed.key_id, refresh=refresh)
        if account is None:
            continue
        if _signed_by(parsed, method=method, path=path, headers=request.headers,
                      public_key_pem=account.public_key):
            signer_keys.put(parsed.key_id, _slim(account))
            return account
    raise SignatureError("The signature does not verify.")


def _refuse_own_key(key_id: str) -> None:
    if host_of(key_id) == settings.LOCAL_DOMAIN.lower():
        raise SignatureError("A request cannot be signed with our own keys.")


def _signer_account(key_id: str, *, refresh: bool) -> Account | None:
    try:
        account = _account_for_key(key_id, refresh=refresh)
    except (http.RemoteFetchError, ParseError) as error:
        raise SignatureError(f"Cannot fetch the key {key_id}: {error.message}") from error
    if account is None or not account.public_key:
        return None
    if host_of(account.uri) != host_of(key_id):
        raise SignatureError("The key and its actor live on different hosts.")
    return account


def _verify_rfc9421(request, *, body: bytes | None) -> Account:
    key_id = rfc9421_key_id(request.headers)
    if not key_id:
        raise SignatureError("No keyid in Signature-Input.")
    _refuse_own_key(key_id)
    url = f"https://{request.get_host()}{request.get_full_path()}"
    for refresh in (False, True):
        account = _signer_account(key_id, refresh=refresh)
        if account is None:
            continue
        try:
            verify_rfc9421(
                method=request.method, url=url, headers=request.headers, body=body,
                lookup=lambda kid, account=account: account.public_key if kid == key_id else None,
            )
            logger.debug("RFC 9421 signature verified for %s", key_id)
            return account
        except SignatureError:
            if refresh:
                raise
    raise SignatureError("The signature does not verify.")


def known_signer(request) -> Account | None:
    """The signer of a GET if it is signed and verifies, else None (treated as anonymous)."""
    if not request.headers.get("Signature"):
        return None
    try:
        return verify_request(request, body=None)
    except SignatureError as error:
        logger.info("ignored a bad signature on %s: %s", request.path, error.message)
        return None


def domain_is_blocked(domain: str) -> bool:
    """Whether we refuse this domain: suspended by a domain block, or not allowlisted when
    limited federation is on (moderation owns the rule; this asks it)."""
    from moderation.blocks import domain_policy

    return bool(domain) and domain_policy(domain).refused
