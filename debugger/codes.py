"""What Twilio's error codes mean, for the codes a phone tree meets, and where Twilio explains
each (https://www.twilio.com/docs/api/errors/<code>). A code not listed is kept and shown as
Twilio sent it, with Twilio's page."""

from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

MEANINGS = {
    # Twilio could not get an answer from us.
    "11200": _("HTTP retrieval failure: Twilio got no usable answer from our URL."),
    "11205": _("HTTP connection failure: Twilio could not connect to our server in time."),
    "11206": _("HTTP protocol violation: our server's answer was not valid HTTP."),
    "11210": _("HTTP bad host name: the URL's host name does not resolve."),
    "11217": _("HTTP error response code: our server answered with a 4xx or 5xx status."),
    # Twilio could not use our answer.
    "11750": _("TwiML response body too large: our answer is over 64 kB."),
    "12100": _("Document parse failure: our answer is not a valid XML document."),
    "12200": _("Schema validation warning: our TwiML does not follow Twilio's schema."),
    "12300": _("Invalid Content-Type: Twilio cannot use our answer's content type."),
    # A verb of our TwiML.
    "13214": _("Dial: invalid callerId value."),
    "13223": _("Dial: the phone number is not in E.164 format."),
    "13224": _("Dial: Twilio cannot call this number, or it is invalid."),
    "13520": _("Say: the text is empty or cannot be read."),
    "13521": _("Say: the text is longer than the voice allows."),
    # A text to a caller.
    "21211": _("The 'To' number is not a valid phone number."),
    "21610": _("The recipient replied STOP: no texts may be sent to them."),
    "21614": _("The 'To' number is not a mobile number."),
    "30003": _("Text not delivered: the caller's phone is unreachable."),
    "30005": _("Text not delivered: the number is unknown or no longer exists."),
    "30006": _("Text not delivered: a landline, or a carrier that cannot be reached."),
}

DOCS = "https://www.twilio.com/docs/api/errors/"


def is_code(code: str) -> bool:
    """Whether Twilio's error code looks like one (digits), rather than something else it sent."""
    return 0 < len(code) <= 6 and code.isascii() and code.isdigit()


def meaning(code: str) -> str:
    """What a code means, in the staff member's language; "" for a code not listed."""
    return str(MEANINGS[code]) if code in MEANINGS else ""


def docs_url(code: str, more_info=None) -> str:
    """Twilio's page about a report: the link it sent (more_info, when it is one of Twilio's
    pages), else its page for the code; "" when there is neither."""
    if isinstance(more_info, str):
        parts = urlsplit(more_info)
        if parts.scheme == "https" and (
            parts.hostname == "twilio.com" or (parts.hostname or "").endswith(".twilio.com")
        ):
            return more_info
    return f"{DOCS}{code}" if is_code(code) else ""
