"""How the simulator reaches the webhooks, signed as Twilio signs: in this process, or over HTTP."""

import urllib.error
import urllib.request
from http import HTTPStatus
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.test import Client
from django.urls import reverse
from twilio.request_validator import RequestValidator

from .events import Answer, Unreachable

MAX_ANSWER_BYTES = 1_000_000
HTTP_TIMEOUT_SECONDS = 15
FORM = "application/x-www-form-urlencoded"


def twilio_request(method: str, url: str, params: dict[str, str], *, token: str):
    """The URL, form fields and headers of one webhook request, as Twilio would send it."""
    form = dict(params)
    if method == "GET":
        # A GET carries the parameters in its query string, and then only the URL is signed.
        parts = urlsplit(url)
        query = "&".join(filter(None, [parts.query, urlencode(params)]))
        url, form = urlunsplit(parts._replace(query=query, fragment="")), {}
    headers = {"User-Agent": "TwilioProxy/1.1 (etphone simulator)"}
    if token:
        headers["X-Twilio-Signature"] = RequestValidator(token).compute_signature(url, form)
    return url, form, headers


def _note(status: int, token: str, location: str = "") -> str:
    """Why an answer is not TwiML, where the simulator can tell."""
    if location:
        return f"It redirects to {location}."
    if status != HTTPStatus.FORBIDDEN:
        return ""
    if not token:
        return (
            "The simulator signs requests with TWILIO_AUTH_TOKEN, which is not set: set it "
            "(any value for local work), or TWILIO_VALIDATE_SIGNATURES=false."
        )
    return "If it refused the signature: the app needs the TWILIO_AUTH_TOKEN the simulator has."


class InProcess:
    """Our own webhooks, through Django's whole request handling, middleware included."""

    def __init__(self, *, base_url: str, host: str, secure: bool, token: str):
        self.base_url = base_url.rstrip("/")
        self.host, self.secure, self.token = host, secure, token
        # CSRF is enforced as for any request from outside: the webhooks must be exempt.
        self.client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    def __call__(self, method: str, url: str, params: dict[str, str]) -> Answer:
        if url != self.base_url and not url.startswith(self.base_url + "/"):
            raise Unreachable(f"{url} is not on this app ({self.base_url}/).")
        url, form, headers = twilio_request(method, url, params, token=self.token)
        parts = urlsplit(url)
        response = self.client.generic(
            method,
            parts.path + (f"?{parts.query}" if parts.query else ""),
            urlencode(form),
            content_type=FORM,
            secure=self.secure,
            headers=headers,
            HTTP_HOST=self.host,
        )
        note = _note(response.status_code, self.token, response.get("Location", ""))
        return Answer(response.status_code, response.content, note)

    @property
    def entry_url(self) -> str:
        return self.base_url + reverse("ivr:welcome")


def with_language(url: str, language: str) -> str:
    """The entry URL of a call that starts in a language (its code, e.g. ja-JP)."""
    return f"{url}?{urlencode({'lang': language})}" if language else url


def in_process_for(request) -> InProcess:
    """Call this app's webhooks on the host a staff member's browser reached it by."""
    host = request.get_host()
    return InProcess(
        base_url=settings.PUBLIC_BASE_URL or f"{request.scheme}://{host}",
        host=host,
        secure=request.is_secure(),
        token=settings.TWILIO_AUTH_TOKEN,
    )


def in_process() -> InProcess:
    """Call this app's webhooks without a request to go by: PUBLIC_BASE_URL, or an allowed host."""
    if settings.PUBLIC_BASE_URL:
        parts = urlsplit(settings.PUBLIC_BASE_URL)
        host, secure = _allowed_host(parts.netloc), parts.scheme == "https"
        base_url = settings.PUBLIC_BASE_URL
    else:
        host, secure = _allowed_host("localhost"), False
        base_url = f"http://{host}"
    return InProcess(base_url=base_url, host=host, secure=secure, token=settings.TWILIO_AUTH_TOKEN)


def _allowed_host(preferred: str) -> str:
    """preferred if ALLOWED_HOSTS lets it in, else the first host it names outright."""
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]  # what Django itself allows then
    for host in (preferred, "localhost", *allowed):
        if (
            host != "*"
            and not host.startswith(".")
            and validate_host(split_domain_port(host)[0], allowed)
        ):
            return host
    return preferred


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a webhook must answer TwiML itself; the redirect is reported instead


class OverHttp:
    """A running server's webhooks, over HTTP(S)."""

    def __init__(self, *, token: str, timeout: float = HTTP_TIMEOUT_SECONDS):
        self.token, self.timeout = token, timeout
        self.opener = urllib.request.build_opener(_NoRedirects)

    def __call__(self, method: str, url: str, params: dict[str, str]) -> Answer:
        if urlsplit(url).scheme not in ("http", "https"):
            raise Unreachable(f"{url} is not an http or https URL.")
        url, form, headers = twilio_request(method, url, params, token=self.token)
        data = None
        if method == "POST":
            data, headers["Content-Type"] = urlencode(form).encode(), FORM
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return Answer(response.status, response.read(MAX_ANSWER_BYTES))
        except urllib.error.HTTPError as error:
            note = _note(error.code, self.token, error.headers.get("Location", ""))
            return Answer(error.code, error.read(MAX_ANSWER_BYTES), note)
        except OSError as error:  # URLError, refused connections and time-outs
            raise Unreachable(str(getattr(error, "reason", error))) from error


def entry_url(url: str) -> str:
    """A server's entry URL: the URL as given, or its /ivr/welcome when only a host is given."""
    parts = urlsplit(url)
    if parts.path in ("", "/"):
        return urlunsplit(parts._replace(path=reverse("ivr:welcome")))
    return url
