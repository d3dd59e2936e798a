"""The account's call recordings: their audio, fetched for staff, and deleting them."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import requests
from django.conf import settings

from .client import TwilioApiError, client, credentials, response_error, unreachable

RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")
CHUNK_BYTES = 64 * 1024


@dataclass
class Audio:
    """A recording's audio as Twilio sends it, read in chunks; close() when done."""

    content_type: str
    length: str
    chunks: Iterator[bytes]
    close: Callable[[], None]


def _checked(recording_sid: str) -> str:
    # The SID goes into a URL path: only Twilio's own shape may.
    if not RECORDING_SID.fullmatch(recording_sid):
        raise TwilioApiError(f"{recording_sid!r} is not a recording SID ('RE' and 32 hex digits).")
    return recording_sid


def recording_audio(recording_sid: str) -> Audio:
    """The recording's MP3, streamed from Twilio with the account's credentials.

    The twilio client reads answers as text, so the audio comes through requests, with the same
    credentials, base URL and error messages.
    """
    account_sid, username, password = credentials()
    path = f"/2010-04-01/Accounts/{account_sid}/Recordings/{_checked(recording_sid)}.mp3"
    url = settings.TWILIO_API_BASE_URL + path
    try:
        # Twilio answers with a redirect to its storage; requests drops the credentials there.
        response = requests.get(
            url, auth=(username, password), stream=True, timeout=settings.TWILIO_API_TIMEOUT
        )
    except requests.RequestException as error:
        raise unreachable(error) from error
    if response.status_code >= 400:
        response.close()
        raise response_error("GET", url, response)
    return Audio(
        content_type=response.headers.get("Content-Type", "audio/mpeg"),
        length=response.headers.get("Content-Length", ""),
        chunks=response.iter_content(CHUNK_BYTES),
        close=response.close,
    )


def recording_delete(recording_sid: str) -> None:
    """Delete the recording at Twilio; NotFound when it is gone already."""
    client().recordings(_checked(recording_sid)).delete()
