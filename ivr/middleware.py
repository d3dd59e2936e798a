"""Django's LocaleMiddleware for the pages people read, kept off the webhooks."""

import re

from django.conf import settings
from django.middleware import locale
from django.utils import translation


class LocaleMiddleware(locale.LocaleMiddleware):
    """Staff pages in the browser's language; LOCALE_MIDDLEWARE_EXEMPT paths in the default.

    Twilio reads TwiML, not a language: the webhooks skip the Accept-Language negotiation and
    answer without Vary or Content-Language headers, in LANGUAGE_CODE (set explicitly, since a
    worker thread keeps whatever language its previous request activated).
    """

    def __init__(self, get_response):
        super().__init__(get_response)
        self.exempt = [re.compile(pattern) for pattern in settings.LOCALE_MIDDLEWARE_EXEMPT]

    def _is_exempt(self, request):
        path = request.path_info.lstrip("/")
        return any(pattern.search(path) for pattern in self.exempt)

    def process_request(self, request):
        if self._is_exempt(request):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)

    def process_response(self, request, response):
        if self._is_exempt(request):
            return response
        return super().process_response(request, response)
