"""Middleware of the ivr app: Twilio's webhooks take a short way through Django, and the pages
people read get their language."""

import re
from functools import lru_cache
from urllib.parse import unquote_plus

from django.conf import settings
from django.middleware import locale
from django.urls import resolve
from django.utils import translation

from .public_url import public_base_url

WEBHOOKS = "/ivr/"


@lru_cache(maxsize=256)
def _webhook_for(path: str):
    # The same dozen paths come back all day; a stray one only costs an entry. Keyed by path
    # alone: webhooks resolve in ROOT_URLCONF, which changes only with a restart.
    return resolve(path)


class Parameters(dict):
    """A webhook's parameters (the query's, or a POST's form): each name with its value.
    Twilio sends each name once; getall() is what twilio's RequestValidator asks of a form."""

    def getall(self, name: str) -> list[str]:
        return [self[name]]


def _parameters(raw: bytes) -> Parameters | None:
    """The name=value pairs of a UTF-8 query or form, as Django's QueryDict reads them; None
    for a name given twice, too many names, or bytes that are not UTF-8: QueryDict reads those
    (in the request's encoding, with its own limit on names).

    What urllib's parse_qsl() gives (tests/ivr/test_webhook_path.py compares them), in about
    half its time: only a pair with "+" or "%" is decoded, and most of Twilio's have neither
    (a phone number's "+" comes as "%2B": those are)."""
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        return None
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    if limit is not None and text and text.count("&") >= limit:  # as parse_qsl counts them
        return None
    parameters, pairs = Parameters(), 0
    for pair in text.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if "+" in pair or "%" in pair:
            name, value = unquote_plus(name), unquote_plus(value)
        parameters[name] = value
        pairs += 1
    return parameters if len(parameters) == pairs else None


def _read_parameters(request) -> None:
    # Plain dicts cost a third of QueryDicts to build, a tenth of a webhook's cost.
    if (
        query := _parameters(request.META.get("QUERY_STRING", "").encode("iso-8859-1"))
    ) is not None:
        request.GET = query
    form = request.method == "POST" and request.content_type == "application/x-www-form-urlencoded"
    if form and (request.encoding or "utf-8").lower() in ("utf-8", "utf8"):
        try:
            body = request.body
        except Exception:  # too big: Django's error, when the webhook reads request.POST
            return
        if (parameters := _parameters(body)) is not None:
            request.POST = parameters


class WebhookMiddleware:
    """Requests under /ivr/ go straight to their view.

    Twilio reads TwiML, not pages: the middleware below (security headers and the HTTPS
    redirect, static files, sessions, CSRF, auth, history, messages, clickjacking headers,
    language negotiation) does nothing a webhook needs, and passing through it was a fifth of
    a webhook's cost (docs/performance.md). What stays: Django's check of the Host header, and
    the view's own decorator (method, signature, errors as TwiML). request.GET and
    request.POST are read as Parameters, plain dicts, unless a QueryDict would read them
    differently.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not path.startswith(WEBHOOKS):
            return self.get_response(request)
        # Django's check of the Host header (DisallowedHost, a 400), as CommonMiddleware made
        # it; the base URL it gives is kept for the signature and the answer.
        public_base_url(request)
        # Webhooks answer in LANGUAGE_CODE: a worker thread keeps whatever language its
        # previous request activated.
        translation.activate(settings.LANGUAGE_CODE)
        _read_parameters(request)
        match = _webhook_for(path)
        request.resolver_match = match
        return match.func(request, *match.args, **match.kwargs)


class StaffLocaleMiddleware(locale.LocaleMiddleware):
    """Staff pages in the browser's language; LOCALE_MIDDLEWARE_EXEMPT paths (the health checks,
    the recordings Twilio fetches) in the default, without Accept-Language negotiation, Vary or
    Content-Language headers. Webhooks never get here (WebhookMiddleware answers them first).
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
