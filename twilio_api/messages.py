"""Texts (SMS) sent to callers through Twilio's Messages resource, and why Twilio refuses one."""

import re
from dataclasses import dataclass
from http import HTTPStatus

from .client import TwilioApiError, client

# A message's SID, as Twilio's status callback names it (SM..., or MM... for one with media).
MESSAGE_SID = re.compile(r"[SM]M[0-9a-fA-F]{32}")

# Twilio's error codes (https://www.twilio.com/docs/api/errors) that say this caller's number
# cannot take our texts: sending again fails the same way, and other callers are not affected.
CALLER_CANNOT_TAKE_TEXTS = frozenset(
    {
        21211,  # 'To' is not a valid phone number (a withheld or malformed caller ID)
        21610,  # the caller replied STOP to this sender (opted out)
        21612,  # Twilio cannot route a text to this number from this sender
        21614,  # 'To' is not a mobile number (a landline)
        21635,  # 'To' is a landline in a country where Twilio does not try those
        # Delivery errors come later, as the status callback's ErrorCode, not as a refusal.
        30005,  # unknown destination handset: the number does not exist
        30006,  # landline or unreachable carrier
    }
)
# Codes that say our account or sender is set up wrong: no caller gets a text until an
# operator fixes it.
CONFIGURATION_WRONG = frozenset(
    {
        21408,  # texts to the caller's country are not enabled (Messaging geo permissions)
        21603,  # neither a From number nor a messaging service was sent
        21606,  # the From number is not an SMS-capable number of this account
        21608,  # a trial account may only text verified numbers
        21659,  # the From number is not a Twilio number (or a short code of another country)
        21660,  # the From number belongs to another account than the credentials'
        21661,  # the From number is not SMS-capable
        21701,  # the messaging service does not exist in this account
        21705,  # the messaging service SID is invalid
    }
)
# 400 answers that Twilio says to retry later: the sender's queue is full, maintenance.
TRY_LATER = frozenset({21611, 21730})


@dataclass(frozen=True)
class Sent:
    """A text Twilio took: its SID (SM...) and status (queued, accepted, sending, sent...)."""

    sid: str
    status: str


class TextRefused(TwilioApiError):
    """Twilio refused this text for good (a 400 with its error code): sending it again fails."""

    def __init__(self, message: str, *, code: int, reason: str):
        super().__init__(message, status=HTTPStatus.BAD_REQUEST, code=code, reason=reason)

    @property
    def caller_cannot_take_texts(self) -> bool:
        return self.code in CALLER_CANNOT_TAKE_TEXTS

    @property
    def configuration_wrong(self) -> bool:
        return self.code in CONFIGURATION_WRONG


def text_send(
    *,
    to: str,
    body: str,
    from_number: str = "",
    messaging_service_sid: str = "",
    status_callback: str = "",
) -> Sent:
    """Send body to the number to (E.164), from the messaging service when given, else from
    from_number; Twilio reports delivery to status_callback, when given.

    TextRefused when Twilio refuses the text for good; any other TwilioApiError (no answer,
    a timeout, 429, 5xx, credentials) may succeed when tried again.
    """
    if messaging_service_sid:
        sent_with = {"messaging_service_sid": messaging_service_sid}
    elif from_number:
        sent_with = {"from_": from_number}
    else:
        raise ValueError("A text needs from_number or messaging_service_sid.")
    if status_callback:
        sent_with["status_callback"] = status_callback
    try:
        message = client().messages.create(to=to, body=body, **sent_with)
    except TwilioApiError as error:
        if error.status != HTTPStatus.BAD_REQUEST or not error.code or error.code in TRY_LATER:
            raise
        raise _refused(error, to) from error
    return Sent(sid=message.sid, status=message.status)


def _refused(error: TwilioApiError, to: str) -> TextRefused:
    advice = ""
    if error.code in CALLER_CANNOT_TAKE_TEXTS:
        advice = " This caller's number cannot take texts."
    elif error.code in CONFIGURATION_WRONG:
        advice = (
            " No caller gets a text until this is fixed: check TWILIO_MESSAGING_SERVICE_SID, or "
            "that the number texts are sent from is an SMS-capable number of this account."
        )
    return TextRefused(
        f"Twilio refused the text to {to} (error {error.code}: {error.reason}).{advice} "
        f"https://www.twilio.com/docs/errors/{error.code}",
        code=error.code,
        reason=error.reason,
    )
