"""The accounts side of Mastodon's client API: credentials, profiles, relationships and
the lists of people. Each view parses, calls a selector or an accounts service, renders."""

from datetime import timedelta

from django.db import transaction
from oauth2_provider.models import get_access_token_model
from oauthlib.common import generate_token
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from accounts import selectors, services
from accounts.models import Account, FollowRequest
from config.errors import NotFoundError

from .auth import scoped, viewer
from .inputs import id_list
from .paging import page_params, with_link
from .serializers import (
    AccountOutput,
    CredentialAccountOutput,
    account_counts,
    relationships_output,
)

ACCOUNTS_DEFAULT_LIMIT = 40
ACCOUNTS_MAX_LIMIT = 80
RELATIONSHIPS_MAX = 100


def access_account(account_id) -> Account:
    """An account the API may show: not suspended; anything else is a 404 like a missing id."""
    try:
        account_id = int(account_id)
    except (TypeError, ValueError):
        raise NotFoundError() from None
    account = Account.objects.not_suspended().filter(pk=account_id).first()
    if account is None:
        raise NotFoundError()
    return account


def accounts_data(accounts: list[Account]) -> list[dict]:
    return AccountOutput(accounts, many=True, context={"counts": account_counts(accounts)}).data


def account_data(account: Account) -> dict:
    return AccountOutput(account).data


def relationship_data(me: Account, target: Account) -> dict:
    return relationships_output(viewer=me, targets=[target])[0]


def accounts_page(request, page: selectors.Page) -> Response:
    response = Response(accounts_data(page.items))
    if page.next_max_id is not None:
        response = with_link(response, request, [page.next_max_id], key=lambda i: i, next_only=True)
    return response


# --- credentials ----------------------------------------------------------------------------


@api_view(["GET"])
@permission_classes([scoped("read:accounts")])
def verify_credentials(request):
    return Response(CredentialAccountOutput(viewer(request)).data)


class FieldsAttribute(serializers.Field):
    """`fields_attributes` as a JSON array, a JSON object keyed by index, or the form
    encoding `fields_attributes[0][name]=…`."""

    default_error_messages = {"invalid": "must be a list of {name, value}"}

    def get_value(self, dictionary):
        if hasattr(dictionary, "getlist") and self.field_name not in dictionary:
            found = {}
            for key in dictionary:
                if key.startswith(f"{self.field_name}["):
                    index, _sep, attribute = key[len(self.field_name) + 1:].partition("][")
                    found.setdefault(index, {})[attribute.rstrip("]")] = dictionary.get(key)
            return [found[k] for k in sorted(found, key=lambda k: int(k) if k.isdigit() else 0)] \
                if found else serializers.empty
        return dictionary.get(self.field_name, serializers.empty)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            data = [data[k] for k in sorted(data, key=lambda k: int(k) if str(k).isdigit() else 0)]
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            self.fail("invalid")
        fields = []
        for item in data:
            name, value = item.get("name", ""), item.get("value", "")
            if not isinstance(name, str) or not isinstance(value, str):
                self.fail("invalid")
            fields.append({"name": name, "value": value})
        return fields


class UpdateCredentialsInput(serializers.Serializer):
    display_name = serializers.CharField(required=False, allow_blank=True, max_length=2048)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    avatar = serializers.FileField(required=False)
    header = serializers.FileField(required=False)
    locked = serializers.BooleanField(required=False)
    bot = serializers.BooleanField(required=False)
    discoverable = serializers.BooleanField(required=False)
    fields_attributes = FieldsAttribute(required=False)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        # `source[privacy]` (form) or {"source": {"privacy": …}} (JSON).
        source = data.get("source") if isinstance(data.get("source"), dict) else {}
        for name in ("privacy", "language"):
            value = source.get(name, data.get(f"source[{name}]"))
            if value is not None:
                if not isinstance(value, str):
                    raise serializers.ValidationError({f"source[{name}]": ["must be a string"]})
                values[name] = value
        return values


@api_view(["PATCH"])
@permission_classes([scoped(write="write:accounts")])
def update_credentials(request):
    data = UpdateCredentialsInput(data=request.data)
    data.is_valid(raise_exception=True)
    values = dict(data.validated_data)
    me = viewer(request)
    privacy, language = values.pop("privacy", None), values.pop("language", None)
    fields = values.pop("fields_attributes", None)
    with transaction.atomic():
        services.profile_update(account=me, fields=fields, **values)
        if privacy is not None or language is not None:
            user = me.user
            services.preferences_update(
                user=user,
                locale=language if language in _locales() else user.locale,
                default_visibility=user.default_visibility if privacy is None else privacy,
            )
    me.refresh_from_db()
    return Response(CredentialAccountOutput(me).data)


def _locales() -> set[str]:
    from django.conf import settings

    return {code for code, _name in settings.LANGUAGES}


# --- registration ---------------------------------------------------------------------------


class RegistrationInput(serializers.Serializer):
    username = serializers.CharField(max_length=30)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128)
    agreement = serializers.BooleanField(default=False)
    locale = serializers.CharField(required=False, allow_blank=True, max_length=10)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


@api_view(["POST"])
@permission_classes([scoped(write="write:accounts", user=False)])
def register(request):
    """Sign up through an app (its client-credentials token), under the server's
    registration mode; answers a user token for the new account, as Mastodon does."""
    data = RegistrationInput(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    locale = values.get("locale", "")
    with transaction.atomic():
        account = services.signup(
            username=values["username"], email=values["email"], password=values["password"],
            agreement=values["agreement"], reason=values.get("reason", ""),
            locale=locale if locale in _locales() else "",
        )
        app_token = request.auth
        token = get_access_token_model().objects.create(
            user=account.user, application=app_token.application, token=generate_token(),
            scope=app_token.scope, expires=app_token.expires,
        )
    return Response({
        "access_token": token.token, "token_type": "Bearer", "scope": token.scope,
        "created_at": int(token.created.timestamp()),
    })


# --- profiles -------------------------------------------------------------------------------


@api_view(["GET"])
@permission_classes([scoped("read:accounts", public=True)])
def account_detail(request, account_id):
    return Response(account_data(access_account(account_id)))


@api_view(["GET"])
@permission_classes([scoped("read:accounts", public=True)])
def account_lookup(request):
    acct = request.query_params.get("acct", "")
    if not acct:
        raise NotFoundError()
    return Response(account_data(selectors.account_get_by_acct(acct=acct)))


@api_view(["GET"])
@permission_classes([scoped("read:accounts", public=True)])
def account_followers(request, account_id):
    params = page_params(request, default=ACCOUNTS_DEFAULT_LIMIT, maximum=ACCOUNTS_MAX_LIMIT)
    page = selectors.followers_list(
        viewer=viewer(request), account=access_account(account_id),
        max_id=params.max_id, limit=params.limit,
    )
    return accounts_page(request, page)


@api_view(["GET"])
@permission_classes([scoped("read:accounts", public=True)])
def account_following(request, account_id):
    params = page_params(request, default=ACCOUNTS_DEFAULT_LIMIT, maximum=ACCOUNTS_MAX_LIMIT)
    page = selectors.following_list(
        viewer=viewer(request), account=access_account(account_id),
        max_id=params.max_id, limit=params.limit,
    )
    return accounts_page(request, page)


# --- relationships --------------------------------------------------------------------------


class FollowInput(serializers.Serializer):
    reblogs = serializers.BooleanField(default=True)
    notify = serializers.BooleanField(default=False)


@api_view(["POST"])
@permission_classes([scoped(write="write:follows")])
def account_follow(request, account_id):
    data = FollowInput(data=request.data)
    data.is_valid(raise_exception=True)
    me, target = viewer(request), access_account(account_id)
    services.follow_request(
        follower=me, target=target, show_reblogs=data.validated_data["reblogs"],
        notify=data.validated_data["notify"],
    )
    return Response(relationship_data(me, target))


@api_view(["POST"])
@permission_classes([scoped(write="write:follows")])
def account_unfollow(request, account_id):
    me, target = viewer(request), access_account(account_id)
    services.unfollow(follower=me, target=target)
    return Response(relationship_data(me, target))


@api_view(["POST"])
@permission_classes([scoped(write="write:follows")])
def account_remove_from_followers(request, account_id):
    me, target = viewer(request), access_account(account_id)
    services.follower_remove(account=me, follower=target)
    return Response(relationship_data(me, target))


@api_view(["POST"])
@permission_classes([scoped(write="write:blocks")])
def account_block(request, account_id):
    me, target = viewer(request), access_account(account_id)
    services.block_create(account=me, target=target)
    return Response(relationship_data(me, target))


@api_view(["POST"])
@permission_classes([scoped(write="write:blocks")])
def account_unblock(request, account_id):
    me, target = viewer(request), access_account(account_id)
    services.block_remove(account=me, target=target)
    return Response(relationship_data(me, target))


class MuteInput(serializers.Serializer):
    notifications = serializers.BooleanField(default=True)
    duration = serializers.IntegerField(default=0, min_value=0, max_value=10 * 365 * 24 * 3600)


@api_view(["POST"])
@permission_classes([scoped(write="write:mutes")])
def account_mute(request, account_id):
    data = MuteInput(data=request.data)
    data.is_valid(raise_exception=True)
    me, target = viewer(request), access_account(account_id)
    duration = data.validated_data["duration"]
    services.mute_create(
        account=me, target=target, hide_notifications=data.validated_data["notifications"],
        duration=timedelta(seconds=duration) if duration else None,
    )
    return Response(relationship_data(me, target))


@api_view(["POST"])
@permission_classes([scoped(write="write:mutes")])
def account_unmute(request, account_id):
    me, target = viewer(request), access_account(account_id)
    services.mute_remove(account=me, target=target)
    return Response(relationship_data(me, target))


@api_view(["GET"])
@permission_classes([scoped("read:follows")])
def account_relationships(request):
    ids = []
    for value in id_list(request)[:RELATIONSHIPS_MAX]:
        try:
            ids.append(int(value))
        except ValueError:
            continue
    found = Account.objects.not_suspended().in_bulk(ids)
    targets = [found[i] for i in dict.fromkeys(ids) if i in found]
    return Response(relationships_output(viewer=viewer(request), targets=targets))


@api_view(["GET"])
@permission_classes([scoped("read:follows")])
def account_familiar_followers(request):
    """Mastodon's FamiliarFollowers for each id; unknown or suspended ids are left out."""
    ids = [int(v) for v in id_list(request)[:RELATIONSHIPS_MAX] if v.isdigit() and int(v) < 1 << 63]
    found = Account.objects.not_suspended().in_bulk(ids)
    targets = [found[i] for i in dict.fromkeys(ids) if i in found]
    familiar = selectors.familiar_followers(viewer=viewer(request), accounts=targets)
    everyone = [account for accounts in familiar.values() for account in accounts]
    counts = account_counts(everyone)
    return Response([
        {
            "id": str(target.pk),
            "accounts": AccountOutput(familiar[target.pk], many=True, context={"counts": counts}).data,
        }
        for target in targets
    ])


# --- follow requests, blocks, mutes -----------------------------------------------------------


@api_view(["GET"])
@permission_classes([scoped("read:follows")])
def follow_requests(request):
    params = page_params(request, default=ACCOUNTS_DEFAULT_LIMIT, maximum=ACCOUNTS_MAX_LIMIT)
    page = selectors.follow_requests_list(
        account=viewer(request), max_id=params.max_id, limit=params.limit,
    )
    return accounts_page(request, selectors.Page([r.account for r in page.items], page.next_max_id))


def _follow_request_from(me: Account, account_id) -> FollowRequest:
    request = FollowRequest.objects.filter(
        target_account=me, account=access_account(account_id),
    ).select_related("account", "target_account").first()
    if request is None:
        raise NotFoundError()
    return request


@api_view(["POST"])
@permission_classes([scoped(write="write:follows")])
def follow_request_authorize(request, account_id):
    me = viewer(request)
    follow_request = _follow_request_from(me, account_id)
    services.follow_accept(follow_request=follow_request)
    return Response(relationship_data(me, follow_request.account))


@api_view(["POST"])
@permission_classes([scoped(write="write:follows")])
def follow_request_reject(request, account_id):
    me = viewer(request)
    follow_request = _follow_request_from(me, account_id)
    services.follow_reject(follow_request=follow_request)
    return Response(relationship_data(me, follow_request.account))


@api_view(["GET"])
@permission_classes([scoped("read:blocks")])
def blocks(request):
    params = page_params(request, default=ACCOUNTS_DEFAULT_LIMIT, maximum=ACCOUNTS_MAX_LIMIT)
    page = selectors.blocks_list(account=viewer(request), max_id=params.max_id, limit=params.limit)
    return accounts_page(request, page)


@api_view(["GET"])
@permission_classes([scoped("read:mutes")])
def mutes(request):
    params = page_params(request, default=ACCOUNTS_DEFAULT_LIMIT, maximum=ACCOUNTS_MAX_LIMIT)
    page = selectors.mutes_list(account=viewer(request), max_id=params.max_id, limit=params.limit)
    return accounts_page(request, page)


@api_view(["GET"])
@permission_classes([scoped("read:accounts")])
def preferences(request):
    user = viewer(request).user
    return Response({
        "posting:default:visibility": user.default_visibility,
        "posting:default:sensitive": False,
        "posting:default:language": user.locale or None,
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    })
