"""The URL Twilio reaches us at: its scheme and host, and a request's URL as Twilio signed it."""

from django.conf import settings
from django.utils.encoding import escape_uri_path

# Where a request keeps its public base URL once worked out: a key of ours in its WSGI environ.
BASE_URL_KEY = "etphone.public_base_url"


def public_base_url(request) -> str:
    """The scheme and host Twilio reaches us at, e.g. https://ivr.example.com. Raises
    DisallowedHost (a 400) when the Host header is not in ALLOWED_HOSTS."""
    # Once per request: reading and checking the Host header is not free, and a webhook asks
    # for the base URL to check the signature and again for the URLs it answers with.
    if (base := request.META.get(BASE_URL_KEY)) is None:
        host = request.get_host()
        # Behind a proxy the request's own host and scheme may not be what Twilio saw;
        # PUBLIC_BASE_URL says what it was, SECURE_PROXY_SSL_HEADER recovers the scheme else.
        base = settings.PUBLIC_BASE_URL or f"{request.scheme}://{host}"
        request.META[BASE_URL_KEY] = base
    return base


def requested_url(request) -> str:
    """The URL Twilio requested and signed, query string byte for byte."""
    base = public_base_url(request)
    query = request.META.get("QUERY_STRING", "")
    return f"{base}{escape_uri_path(request.path)}{'?' + query if query else ''}"
