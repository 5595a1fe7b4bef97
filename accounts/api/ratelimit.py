"""Mastodon's rate limits on the client API: 300 requests per 5 minutes per token (per
address without one), 30 media uploads per 30 minutes per account, answered with
X-RateLimit-Limit/Remaining/Reset on every API response and a 429 once spent.

A fixed window in the cache (Redis when configured, else per process)."""

import hashlib
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse

WINDOW_SECONDS = 300
MEDIA_LIMIT = 30
MEDIA_WINDOW_SECONDS = 1800


def _identity(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.lower().startswith("bearer "):
        return "t:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    return "ip:" + request.META.get("REMOTE_ADDR", "")


def _hit(key: str, window: int) -> tuple[int, int]:
    """Count one request in the current window; returns (count, window end)."""
    now = int(time.time())
    end = now - now % window + window
    full_key = f"ratelimit:{key}:{end}"
    cache.add(full_key, 0, timeout=window + 5)
    try:
        count = cache.incr(full_key)
    except ValueError:  # expired between add and incr
        cache.set(full_key, 1, timeout=window + 5)
        count = 1
    return count, end


def _headers(response, limit: int, count: int, end: int):
    response["X-RateLimit-Limit"] = str(limit)
    response["X-RateLimit-Remaining"] = str(max(0, limit - count))
    response["X-RateLimit-Reset"] = datetime.fromtimestamp(end, UTC).isoformat().replace("+00:00", "Z")
    return response


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        limit = getattr(settings, "API_RATE_LIMIT", 300)
        identity = _identity(request)
        count, end = _hit(identity, WINDOW_SECONDS)
        checks = [(limit, count, end)]
        if request.method == "POST" and request.path.rstrip("/") in ("/api/v1/media", "/api/v2/media"):
            checks.append((MEDIA_LIMIT, *_hit(f"media:{identity}", MEDIA_WINDOW_SECONDS)))
        for check_limit, check_count, check_end in checks:
            if check_count > check_limit:
                response = JsonResponse({"error": "Too many requests"}, status=429)
                response["Retry-After"] = str(max(1, check_end - int(time.time())))
                return _headers(response, check_limit, check_count, check_end)
        return _headers(self.get_response(request), limit, count, end)
