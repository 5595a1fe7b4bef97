"""Small endpoints with no domain behind them yet: the JSON 404 for unknown API paths,
custom emojis (none), and the placeholder images Mastodon clients expect."""

import io
from functools import cache

from django.http import HttpResponse
from rest_framework.decorators import api_view
from rest_framework.response import Response

from config.errors import NotFoundError

PLACEHOLDER_SIZES = {"avatar": (400, 400), "header": (1500, 500)}
PLACEHOLDER_COLOR = (216, 222, 233)


@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(request):
    raise NotFoundError()


@api_view(["GET"])
def custom_emojis(request):
    return Response([])


@cache
def _placeholder(kind: str) -> bytes:
    from PIL import Image  # only here: web workers never import Pillow otherwise

    buffer = io.BytesIO()
    Image.new("RGB", PLACEHOLDER_SIZES[kind], PLACEHOLDER_COLOR).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def default_image(request, kind: str):
    response = HttpResponse(_placeholder(kind), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response
