"""The one wrapper every Twilio webhook goes through: method, signature, errors, TwiML out."""

import base64
import hashlib
import hmac
import logging
import time
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, HttpResponseBase, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from twilio.request_validator import RequestValidator

from directory.nodes import Sentence
from metrics.registry import webhook_answered

from . import twiml
from .middleware import Parameters
from .public_url import requested_url

logger = logging.getLogger("ivr")


# How a webhook answered, when not with its own TwiML (see twilio_webhook): for /metrics.
ANSWERED_AS_KEY = "etphone.answered_as"


def signature_is_valid(request) -> bool:
    # From META: request.headers would build a mapping of every header for this one.
    signature = request.META.get("HTTP_X_TWILIO_SIGNATURE", "")
    if not (signature and settings.TWILIO_AUTH_TOKEN):
        return False
    # A POST's form parameters are signed; a GET's are already in the URL.
    params = request.POST if request.method == "POST" else Parameters()
    token, url = settings.TWILIO_AUTH_TOKEN, requested_url(request)
    validator = RequestValidator(token)
    # The URL as requested is what Twilio signs nearly always: one HMAC settles it (ours for a
    # form read as Parameters; the library's for a QueryDict, a name given twice). Otherwise
    # validate() tries the URL with and without an explicit port, as Twilio may sign either.
    if isinstance(params, Parameters):
        computed = twilio_signature(token, url, params)
    else:
        computed = validator.compute_signature(url, params)
    return hmac.compare_digest(computed, signature) or validator.validate(url, params, signature)


def twilio_signature(token: str, url: str, params: Parameters) -> str:
    """X-Twilio-Signature for a URL and parameters each given once: the HMAC-SHA1 of the URL
    followed by every name and its value, in the names' order, base64-encoded. What twilio's
    RequestValidator.compute_signature() gives, in half its time for make bench's eight
    parameters and under a third for the 28 of a real Twilio webhook (docs/performance.md);
    tests/ivr/test_signatures.py compares the two."""
    signed = url + "".join(name + params[name] for name in sorted(params))
    # hmac.new() rather than hmac.digest(): this one keeps the GIL for a short message, where
    # digest() lets it go, and the call log's writer thread then takes the request's turn.
    mac = hmac.new(token.encode(), signed.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def apologize() -> str:
    """What a caller hears when something on our side broke: no database needed."""
    return twiml.apology(
        sentence=Sentence(settings.IVR_APOLOGY, settings.IVR_VOICE, settings.IVR_LANGUAGE),
        operator_number=settings.OPERATOR_NUMBER,
    )


def twilio_webhook(view):
    """A Twilio webhook: GET or POST, signed by Twilio, answered with the view's TwiML (or with
    the view's own response, for a signed request that is not what it takes)."""

    # Twilio cannot send a CSRF token; the signature check below is what keeps others out.
    @csrf_exempt
    @require_http_methods(["GET", "POST"])
    @wraps(view)
    def webhook(request, *args, **kwargs):
        started, step = time.perf_counter(), kwargs.get("step", view.__name__)
        if settings.TWILIO_VALIDATE_SIGNATURES:
            try:
                valid = signature_is_valid(request)
            except Exception:  # an unreadable body cannot have been signed
                valid = False
            if not valid:
                logger.warning(
                    "Refused a request to %s: missing or wrong X-Twilio-Signature",
                    requested_url(request),
                )
                webhook_answered(step, "signature_refused", time.perf_counter() - started)
                return HttpResponseForbidden()
        try:
            document = view(request, *args, **kwargs)
        except Exception:
            # Whatever broke, the caller hears an apology rather than Twilio's recorded error.
            logger.exception(
                "Step %s failed for call %s",
                kwargs.get("step", view.__name__),
                _call_sid(request) or "(unknown)",
            )
            document = apologize()
            request.META[ANSWERED_AS_KEY] = "apology"
        if isinstance(document, HttpResponseBase):
            response = document
        else:
            response = HttpResponse(document, content_type="text/xml; charset=utf-8")
        # As CommonMiddleware would set it: webhooks pass it by (ivr.middleware).
        response["Content-Length"] = str(len(response.content))
        answered_as = request.META.get(ANSWERED_AS_KEY, "twiml")
        webhook_answered(step, answered_as, time.perf_counter() - started)
        return response

    return webhook


def _call_sid(request) -> str:
    try:
        params = request.POST if request.method == "POST" else request.GET
        return params.get("CallSid", "")[:64]
    except Exception:
        return ""
