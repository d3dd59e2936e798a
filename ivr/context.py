"""One webhook request as the step engine reads it, once: who calls, what they pressed or said,
the call's language, menu and attempts; and logging it in the call log."""

import logging
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.urls import get_script_prefix, reverse

from calllog import services as calllog
from directory.models import DIGITS, EXTENSION_LENGTH, PHONE_KEYS
from directory.nodes import LanguageOption, MenuNode
from directory.script import Script, Wording
from metrics import registry as metrics
from twilio_api.client import SIMULATED_ACCOUNT_SID

from . import speech
from .public_url import public_base_url

logger = logging.getLogger("ivr")

NO_INPUT = ""
INVALID = "invalid"
# Words were heard but meant nothing at this menu: a miss, like a wrong key.
NOT_UNDERSTOOD = "speech"
MAX_STEPS = 10_000
# The longest language tag and menu slug we carry in a URL (as directory.models' fields).
LANGUAGE_LENGTH = 35
SLUG_LENGTH = 50
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
class Context:
    """What one webhook request tells us: who calls, what they pressed, where the call is."""

    request: object
    script: Script
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
    # The menu the step is at, and the one the call started at (URLs leave that one out).
    menu: MenuNode
    entry_menu: MenuNode
    # The planet our own URL names (?planet=), if any.
    planet_pk: int | None
    # Where a caller goes back to when a planet cannot answer: "" for the planet directory,
    # "menu" for the menu (an option that puts the caller through to one planet).
    back: str
    # The scheme and host Twilio reaches us at, for the recordings' URLs.
    base_url: str = ""

    @classmethod
    def of(cls, request, script: Script) -> "Context":
        params = request_params(request)
        digits = params.get("Digits", "")
        if digits == "":
            pressed = NO_INPUT
        else:
            is_key = len(digits) == 1 and digits in PHONE_KEYS
            pressed = digits if is_key or _is_extension(digits) else INVALID
        called = params.get("To", "")[:32]
        heard = params.get("SpeechResult", "")[: speech.HEARD_LIMIT] if digits == "" else ""
        query = request.GET
        return cls(
            request=request,
            script=script,
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
            menu=script.call_menu(requested=query.get("menu", "")[:SLUG_LENGTH], called=called),
            entry_menu=script.entry_menu(called),
            planet_pk=planet_pk(request),
            back="menu" if query.get("back") == "menu" else "",
            base_url=public_base_url(request),
        )

    @property
    def wording(self) -> Wording:
        """What the caller hears in the call's language, recordings included."""
        return self.wording_in(self.language)

    def wording_in(self, language: LanguageOption) -> Wording:
        return self.script.wording(language, base_url=self.base_url)

    def next_url(
        self,
        name: str,
        *,
        attempts: int | None = None,
        language: LanguageOption | None = None,
        menu: MenuNode | None = None,
        **params,
    ) -> str:
        """The URL of the call's next step (at this menu unless another is named); the query
        string is sorted, as Twilio signs it, and leaves out what the call started with."""
        language = language or self.language
        menu = menu or self.menu
        params.update(
            attempts=self.attempts if attempts is None else attempts,
            step=self.sequence + 1,
            lang=language.code if language != self.starting_language else "",
            menu=menu.slug if menu is not self.entry_menu else "",
        )
        return webhook_url(name, **params)


def webhook_url(name: str, **params) -> str:
    """The path of one of our webhooks with its query string, empty values left out, sorted as
    Twilio signs it."""
    query = sorted((key, value) for key, value in params.items() if value)
    path = _webhook_path(get_script_prefix(), name)
    return f"{path}?{urlencode(query)}" if query else path


@lru_cache(maxsize=64)
def _webhook_path(script_prefix: str, name: str) -> str:
    # A webhook's path changes only with ROOT_URLCONF (a restart) or the prefix it is under.
    return reverse(name)


def log_call(params, write, **fields) -> None:
    """Log the step; a failure to log never changes what the caller hears."""
    call_sid = params.get("CallSid", "")[:64]
    if not call_sid or params.get("AccountSid") == SIMULATED_ACCOUNT_SID:
        return
    try:
        write(call_sid=call_sid, **fields)
    except Exception:
        logger.exception("Could not log step %s of call %s", fields.get("sequence", 0), call_sid)


def count(context: Context, metric, *labels: str) -> None:
    """Count something a caller did, for /metrics; not in the simulator's calls, which the
    call log leaves out too."""
    if context.params.get("AccountSid") != SIMULATED_ACCOUNT_SID:
        metrics.count(metric, *labels)


def log_step(context: Context, kind: str, **fields) -> None:
    """Log the step, at the menu the call is at."""
    token = context.request.META.get("HTTP_I_TWILIO_IDEMPOTENCY_TOKEN", "")[:128]
    log_call(
        context.params,
        calllog.step_log,
        sequence=context.sequence,
        kind=kind,
        idempotency_token=token,
        menu=context.menu.slug,
        **fields,
    )


def as_key(understood: speech.Understood) -> str:
    """The key words stand for, else a miss (a planet's words are no key)."""
    if understood.target and understood.planet_pk is None:
        return understood.target
    return NOT_UNDERSTOOD


def listen(context: Context, choices: speech.Choices) -> speech.Understood | None:
    """What the caller's words meant at this menu (None when no words), logged as said."""
    if not context.heard:
        return None
    understood = speech.understand(
        choices,
        context.heard,
        confidence=context.confidence,
        threshold=settings.SPEECH_CONFIDENCE,
    )
    log_call(
        context.params,
        calllog.utterance_log,
        sequence=context.sequence,
        language=context.language.code,
        heard=context.heard[:HEARD_LOGGED],
        confidence=context.confidence,
        target=understood.target or "",
        score=round(understood.score, 1),
        planet_id=understood.planet_pk,
    )
    if understood.target is None:
        result = "not_understood"
    else:
        result = "understood" if understood.sure else "confirm"
    count(context, metrics.speech, context.language.code, result)
    return understood
