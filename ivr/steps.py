"""What every call step shares: the request as Inbound, logging a step, what words meant, and
the planet menu every step may return to."""

import logging
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.urls import get_script_prefix, reverse

from calllog import services as calllog
from calllog.models import SIMULATED_ACCOUNT_SID
from directory.models import DIGITS, EXTENSION_LENGTH, PHONE_KEYS
from directory.script import LanguageOption, Lines, Script

from . import speech, twiml
from .decorators import public_base_url

logger = logging.getLogger("ivr")

NO_INPUT = ""
INVALID = "invalid"
# Words were heard but meant nothing at this menu: a miss, like a wrong key.
NOT_UNDERSTOOD = "speech"
MAX_STEPS = 10_000
# The longest language tag we carry in a URL (as directory.models' language field).
LANGUAGE_LENGTH = 35
# What the call log keeps of what was heard.
HEARD_LOGGED = 200


def request_params(request):
    return request.POST if request.method == "POST" else request.GET


def bounded_int(value: str, *, upper: int) -> int:
    try:
        return min(max(int(value), 0), upper)
    except ValueError:
        return 0


def planet_pk(request) -> int | None:
    """The planet our own URL names (?planet=), if any."""
    return bounded_int(request.GET.get("planet", ""), upper=2**63 - 1) or None


def _confidence(value: str | None) -> float:
    """Twilio's Confidence (0 to 1); sure when absent (a simulator), unsure when unreadable."""
    if value is None:
        return 1.0
    try:
        confidence = float(value[:32])
    except ValueError:
        return 0.0
    return min(max(confidence, 0.0), 1.0) if confidence == confidence else 0.0


def _is_extension(digits: str) -> bool:
    return len(digits) <= EXTENSION_LENGTH and all(digit in DIGITS for digit in digits)


@dataclass(frozen=True)
class Inbound:
    """What one webhook request tells us: who calls, what they pressed, where the call is."""

    params: dict
    pressed: str
    # What Twilio heard (SpeechResult) when no key was pressed, and how sure it was.
    heard: str
    confidence: float
    # Failed attempts so far, the step's number in the call and its language; they travel in
    # our own URLs, which Twilio signs, so no session is kept on our side.
    attempts: int
    sequence: int
    language: LanguageOption
    # The language the call started in (from the number called): URLs leave it out.
    starting_language: LanguageOption
    # The scheme and host Twilio reaches us at, for the recordings' URLs.
    base_url: str = ""

    @classmethod
    def of(cls, request, script: Script) -> "Inbound":
        params = request_params(request)
        digits = params.get("Digits", "")
        if digits == "":
            pressed = NO_INPUT
        else:
            is_key = len(digits) == 1 and digits in PHONE_KEYS
            pressed = digits if is_key or _is_extension(digits) else INVALID
        called = params.get("To", "")[:32]
        heard = params.get("SpeechResult", "")[: speech.HEARD_LIMIT] if digits == "" else ""
        return cls(
            params=params,
            pressed=pressed,
            heard=heard if heard.strip() else "",
            confidence=_confidence(params.get("Confidence")),
            attempts=bounded_int(request.GET.get("attempts", "0"), upper=settings.IVR_MAX_ATTEMPTS),
            sequence=bounded_int(request.GET.get("step", "0"), upper=MAX_STEPS),
            language=script.call_language(
                requested=request.GET.get("lang", "")[:LANGUAGE_LENGTH], called=called
            ),
            starting_language=script.starting_language(called),
            base_url=public_base_url(request),
        )

    def lines(self, script: Script, language: LanguageOption | None = None) -> Lines:
        """What the caller hears in the call's language (or another), recordings included."""
        return script.lines(language or self.language, base_url=self.base_url)

    def next_url(
        self,
        name: str,
        *,
        attempts: int | None = None,
        language: LanguageOption | None = None,
        **params,
    ) -> str:
        """The URL of the call's next step; the query string is sorted, as Twilio signs it."""
        language = language or self.language
        params.update(
            attempts=self.attempts if attempts is None else attempts,
            step=self.sequence + 1,
            lang=language.code if language != self.starting_language else "",
        )
        return webhook_url(name, **params)


def webhook_url(name: str, **params) -> str:
    """The path of one of our webhooks with its query string, empty values left out, sorted as
    Twilio signs it."""
    query = sorted((key, value) for key, value in params.items() if value)
    return f"{_webhook_path(get_script_prefix(), name)}?{urlencode(query)}"


@lru_cache(maxsize=64)
def _webhook_path(script_prefix: str, name: str) -> str:
    # A webhook's path changes only with ROOT_URLCONF (a restart) or the prefix it is under.
    return reverse(name)


def record(params, write, **fields) -> None:
    """Log the step; a failure to log never changes what the caller hears."""
    call_sid = params.get("CallSid", "")[:64]
    if not call_sid or params.get("AccountSid") == SIMULATED_ACCOUNT_SID:
        return
    try:
        write(call_sid=call_sid, **fields)
    except Exception:
        logger.exception("Could not record step %s of call %s", fields.get("sequence", 0), call_sid)


def record_step(inbound: Inbound, request, kind: str, **fields) -> None:
    token = request.META.get("HTTP_I_TWILIO_IDEMPOTENCY_TOKEN", "")[:128]
    record(
        inbound.params,
        calllog.step_record,
        sequence=inbound.sequence,
        kind=kind,
        idempotency_token=token,
        **fields,
    )


def listening(lines: Lines, hints) -> twiml.Listening:
    return twiml.Listening(language=lines.language.code, hints=hints)


def planet_menu(inbound: Inbound, lines: Lines, *, attempts: int, before=()):
    return twiml.planet_menu(
        sentences=lines.planet_menu(read_at_most=settings.IVR_PLANET_MENU_READS),
        planets_url=inbound.next_url("ivr:planets", attempts=attempts),
        listening=listening(lines, speech.vocabulary(lines).planet_hints),
        extension_length=lines.script.extension_length,
        before=before,
    )


def as_key(understood: speech.Understood) -> str:
    """The key words stand for, else a miss (a planet's words are no key)."""
    if understood.target and understood.planet_pk is None:
        return understood.target
    return NOT_UNDERSTOOD


def listen(inbound: Inbound, choices: speech.Choices) -> speech.Understood | None:
    """What the caller's words meant at this menu (None when no words), logged as said."""
    if not inbound.heard:
        return None
    understood = speech.understand(
        choices,
        inbound.heard,
        confidence=inbound.confidence,
        threshold=settings.SPEECH_CONFIDENCE,
    )
    record(
        inbound.params,
        calllog.utterance_record,
        sequence=inbound.sequence,
        language=inbound.language.code,
        heard=inbound.heard[:HEARD_LOGGED],
        confidence=inbound.confidence,
        target=understood.target or "",
        score=round(understood.score, 1),
        planet_id=understood.planet_pk,
    )
    return understood
