from django.utils import translation


class UserLanguageMiddleware:
    """A logged-in user's chosen language wins over the browser's Accept-Language.
    Runs after LocaleMiddleware and AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.locale:
            translation.activate(user.locale)
            request.LANGUAGE_CODE = user.locale
        response = self.get_response(request)
        if user.is_authenticated and user.locale:
            response.headers.setdefault("Content-Language", user.locale)
        return response
