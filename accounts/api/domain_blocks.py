"""Mastodon's user domain blocks: the list (bare domain names, paged by the block's id),
block and unblock. What a block hides is the visibility rule's business."""

from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts import selectors
from accounts.domain_blocks import account_domain_block_create, account_domain_block_remove

from .auth import scoped, viewer
from .paging import page_params, paginate, with_link

DOMAIN_BLOCKS_DEFAULT_LIMIT = 100
DOMAIN_BLOCKS_MAX_LIMIT = 200


def _domain(request) -> str:
    # interop(Mastodon clients): DELETE sends `domain` in the body or in the query string.
    domain = request.data.get("domain") or request.query_params.get("domain") or ""
    if not isinstance(domain, str) or not domain.strip():
        raise ValidationError({"domain": ["can't be blank"]})
    return domain


@api_view(["GET", "POST", "DELETE"])
@permission_classes([scoped("read:blocks", "write:blocks")])
def domain_blocks(request):
    me = viewer(request)
    if request.method == "POST":
        account_domain_block_create(account=me, domain=_domain(request))
        return Response({})
    if request.method == "DELETE":
        account_domain_block_remove(account=me, domain=_domain(request))
        return Response({})
    params = page_params(request, default=DOMAIN_BLOCKS_DEFAULT_LIMIT, maximum=DOMAIN_BLOCKS_MAX_LIMIT)
    rows = paginate(selectors.domain_blocks_list(account=me), params)
    return with_link(Response([row.domain for row in rows]), request, rows)
