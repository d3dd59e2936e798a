"""A twilio client built from settings, whose every failure says what an operator should fix."""

import json
import re
from http import HTTPStatus
from urllib.parse import urlsplit

import requests
from django.conf import settings
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

# Where the twilio client addresses this API's requests; TWILIO_API_BASE_URL replaces it.
TWILIO_API_ORIGIN = "https://api.twilio.com"
ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
# The AccountSid the call simulator sends (no Twilio account has it): its calls are rehearsals,
# not traffic; the call log and the metrics leave them out.
SIMULATED_ACCOUNT_SID = "AC" + "0" * 32
API_KEY_SID = re.compile(r"SK[0-9a-fA-F]{32}")


class TwilioApiError(Exception):
    """Twilio could not be reached or refused a request; the message says what to fix.

    When Twilio answered, status is the HTTP status, code Twilio's error code (e.g. 21614) and
    reason Twilio's own message, so a caller can tell a refusal from a failure worth retrying.
    """

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: int | None = None,
        reason: str = "",
    ):
        super().__init__(message)
        self.status, self.code, self.reason = status, code, reason


class NotFound(TwilioApiError):
    """Twilio has no such resource in this account (404)."""


def client() -> Client:
    """A client for the account in the settings; TwilioApiError names a missing or bad one."""
    account_sid, username, password = credentials()
    return Client(username, password, account_sid, http_client=_HttpClient())


def credentials_named() -> str:
    """The settings the client authenticates with, as an error message names them."""
    if settings.TWILIO_API_KEY or settings.TWILIO_API_SECRET:
        return "TWILIO_ACCOUNT_SID with TWILIO_API_KEY and TWILIO_API_SECRET"
    return "TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN"


def credentials() -> tuple[str, str, str]:
    """(account SID, username, password): an API key and its secret, or else the auth token."""
    account_sid = settings.TWILIO_ACCOUNT_SID
    if not account_sid:
        raise TwilioApiError(
            "Set TWILIO_ACCOUNT_SID to your Twilio account's SID (AC..., on the console's "
            "Account Info)."
        )
    if not ACCOUNT_SID.fullmatch(account_sid):
        raise TwilioApiError(
            f"TWILIO_ACCOUNT_SID {account_sid!r} is not an account SID: those are 'AC' and 32 "
            "hexadecimal digits."
        )
    key, secret = settings.TWILIO_API_KEY, settings.TWILIO_API_SECRET
    if key or secret:
        if not key:
            raise TwilioApiError("TWILIO_API_SECRET is set but TWILIO_API_KEY (SK...) is not.")
        if not secret:
            raise TwilioApiError("TWILIO_API_KEY is set but not its secret, TWILIO_API_SECRET.")
        if not API_KEY_SID.fullmatch(key):
            raise TwilioApiError(
                f"TWILIO_API_KEY {key!r} is not an API key SID: those are 'SK' and 32 "
                "hexadecimal digits."
            )
        return account_sid, key, secret
    if not settings.TWILIO_AUTH_TOKEN:
        raise TwilioApiError(
            "Set TWILIO_AUTH_TOKEN to your account's auth token, or TWILIO_API_KEY and "
            "TWILIO_API_SECRET to an API key, so the app can sign in to Twilio's REST API."
        )
    return account_sid, account_sid, settings.TWILIO_AUTH_TOKEN


class _HttpClient(TwilioHttpClient):
    """The twilio client's HTTP, sent to TWILIO_API_BASE_URL, with failures as TwilioApiError."""

    def __init__(self):
        super().__init__(timeout=settings.TWILIO_API_TIMEOUT)
        self.base_url = settings.TWILIO_API_BASE_URL

    def request(self, method: str, url: str, *args, **kwargs) -> Response:
        if url.startswith(TWILIO_API_ORIGIN + "/"):
            url = self.base_url + url[len(TWILIO_API_ORIGIN) :]
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.RequestException as error:
            raise unreachable(error) from error
        if response.status_code < 400:
            return response
        raise response_error(method, url, response)


def unreachable(error: requests.RequestException) -> TwilioApiError:
    """A request that got no answer, as an operator reads it."""
    base_url, timeout = settings.TWILIO_API_BASE_URL, settings.TWILIO_API_TIMEOUT
    if isinstance(error, requests.Timeout):
        return TwilioApiError(
            f"Twilio ({base_url}) did not answer within {timeout:g} s (TWILIO_API_TIMEOUT)."
        )
    # requests wraps urllib3's error, whose reason says what went wrong in a line.
    reason = getattr(error.args[0] if error.args else None, "reason", error)
    return TwilioApiError(f"Could not reach Twilio at {base_url} (TWILIO_API_BASE_URL): {reason}")


def response_error(method: str, url: str, response) -> TwilioApiError:
    """An error response as an operator reads it: Twilio's own message, and what to check."""
    try:
        answer = json.loads(response.text)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        answer = {}
    said = answer.get("message") or response.text[:200]
    code = answer.get("code") if isinstance(answer.get("code"), int) else None
    status = response.status_code
    if status == HTTPStatus.UNAUTHORIZED:
        error = TwilioApiError(
            f"Twilio refused the credentials ({status}: {said}). Check {credentials_named()} "
            "in the Twilio console."
        )
    elif status == HTTPStatus.NOT_FOUND:
        error = NotFound(f"Twilio has no {urlsplit(url).path} in this account (404: {said}).")
    else:
        error = TwilioApiError(
            f"Twilio answered {method} {urlsplit(url).path} with {status}: {said}"
        )
    error.status, error.code, error.reason = status, code, said
    return error
