"""Twilio voice webhooks for each step of the call, and the home page."""

import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from calllog import services as calllog
from calllog.models import SIMULATED_ACCOUNT_SID, Call, Step
from directory.models import DIGITS, EXTENSION_LENGTH, PHONE_KEYS, Prompt
from directory.script import LanguageOption, Lines, PlanetOption, Script
from directory.selectors import script_get

from . import speech, twiml
from .decorators import apologize, twilio_webhook

logger = logging.getLogger("ivr")

NO_INPUT = ""
INVALID = "invalid"
# Words were heard but meant nothing at this menu: a miss, like a wrong key.
NOT_UNDERSTOOD = "speech"
MAX_STEPS = 10_000
# What the call log keeps of what was heard.
HEARD_LOGGED = 200


def _params(request):
    return request.POST if request.method == "POST" else request.GET


def _bounded_int(value: str, *, upper: int) -> int:
    try:
        return min(max(int(value), 0), upper)
    except ValueError:
        return 0


def _is_extension(digits: str) -> bool:
    return len(digits) <= EXTENSION_LENGTH and all(digit in DIGITS for digit in digits)


def _confidence(value: str | None) -> float:
    """Twilio's Confidence (0 to 1); sure when absent (a simulator), unsure when unreadable."""
    if value is None:
        return 1.0
    try:
        confidence = float(value[:32])
    except ValueError:
        return 0.0
    return min(max(confidence, 0.0), 1.0) if confidence == confidence else 0.0


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

    @classmethod
    def of(cls, request, script: Script) -> "Inbound":
        params = _params(request)
        digits = params.get("Digits", "")
        if digits == "":
            pressed = NO_INPUT
        elif (len(digits) == 1 and digits in PHONE_KEYS) or _is_extension(digits):
            pressed = digits
        else:
            pressed = INVALID
        called = params.get("To", "")[:32]
        heard = params.get("SpeechResult", "")[: speech.HEARD_LIMIT] if digits == "" else ""
        return cls(
            params=params,
            pressed=pressed,
            heard=heard if heard.strip() else "",
            confidence=_confidence(params.get("Confidence")),
            attempts=_bounded_int(
                request.GET.get("attempts", "0"), upper=settings.IVR_MAX_ATTEMPTS
            ),
            sequence=_bounded_int(request.GET.get("step", "0"), upper=MAX_STEPS),
            language=script.call_language(
                requested=request.GET.get("lang", "")[:35], called=called
            ),
            starting_language=script.starting_language(called),
        )

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
        query = sorted((key, value) for key, value in params.items() if value)
        return f"{reverse(name)}?{urlencode(query)}"


def _record(params, write, **fields) -> None:
    """Log the step; a failure to log never changes what the caller hears."""
    call_sid = params.get("CallSid", "")[:64]
    if not call_sid or params.get("AccountSid") == SIMULATED_ACCOUNT_SID:
        return
    try:
        write(call_sid=call_sid, **fields)
    except Exception:
        logger.exception("Could not record step %s of call %s", fields.get("sequence", 0), call_sid)


def _record_step(inbound: Inbound, request, kind: str, **fields) -> None:
    token = request.headers.get("I-Twilio-Idempotency-Token", "")[:128]
    _record(
        inbound.params,
        calllog.step_record,
        sequence=inbound.sequence,
        kind=kind,
        idempotency_token=token,
        **fields,
    )


def _goodbye_if_out_of_attempts(attempts: int, lines: Lines):
    if attempts >= settings.IVR_MAX_ATTEMPTS:
        return twiml.say_and_hang_up(sentence=lines.sentence(Prompt.Key.GOODBYE))
    return None


def _listening(lines: Lines, hints) -> twiml.Listening:
    return twiml.Listening(language=lines.language.code, hints=hints)


def _planet_menu(inbound: Inbound, lines: Lines, *, attempts: int, before=()):
    return twiml.planet_menu(
        sentences=lines.planet_menu(read_at_most=settings.IVR_PLANET_MENU_READS),
        planets_url=inbound.next_url("ivr:planets", attempts=attempts),
        listening=_listening(lines, speech.vocabulary(lines).planet_hints),
        extension_length=lines.script.extension_length,
        before=before,
    )


def _dial(inbound: Inbound, lines: Lines, planet: PlanetOption):
    """Connect the caller to a planet; a closed one says when it opens, then the planet menu."""
    closed = lines.closed(planet, now=timezone.now())
    if closed:
        return _planet_menu(inbound, lines, attempts=inbound.attempts, before=closed)
    return twiml.dial(
        number=planet.phone_number,
        action_url=inbound.next_url("ivr:dialed", planet=planet.pk),
    )


def _confirm(inbound: Inbound, lines: Lines, planet: PlanetOption, *, attempts: int, before=None):
    return twiml.confirm(
        sentence=lines.sentence(Prompt.Key.CONFIRM_PLANET).fill(planet=lines.spoken_name(planet)),
        confirm_url=inbound.next_url("ivr:confirm", attempts=attempts, planet=planet.pk),
        listening=_listening(lines, speech.vocabulary(lines).confirm_hints),
        before=before,
    )


def _a_miss(pressed: str) -> str:
    """The prompt before a menu is read again after a miss."""
    if pressed == NO_INPUT:
        return Prompt.Key.NO_INPUT
    return Prompt.Key.NOT_UNDERSTOOD if pressed == NOT_UNDERSTOOD else Prompt.Key.INVALID_KEY


def _as_key(understood: speech.Understood) -> str:
    """The key words stand for, else a miss (a planet's words are no key)."""
    if understood.target and understood.planet_pk is None:
        return understood.target
    return NOT_UNDERSTOOD


def _listen(inbound: Inbound, choices: speech.Choices) -> speech.Understood | None:
    """What the caller's words meant at this menu (None when no words), logged as said."""
    if not inbound.heard:
        return None
    understood = speech.understand(
        choices,
        inbound.heard,
        confidence=inbound.confidence,
        threshold=settings.SPEECH_CONFIDENCE,
    )
    _record(
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


def _back_to_welcome(inbound: Inbound, sentence, *, attempts: int):
    return twiml.say_and_redirect(
        sentence=sentence, url=inbound.next_url("ivr:welcome", attempts=attempts)
    )


def _welcome(inbound: Inbound, lines: Lines):
    return twiml.welcome(
        sentences=lines.greeting(),
        menu_url=inbound.next_url("ivr:menu", language=lines.language),
        listening=_listening(lines, speech.vocabulary(lines).main_hints),
    )


@twilio_webhook
def welcome(request):
    """Step 1: greet the caller, offer the other languages, and gather the main-menu key."""
    script = script_get()
    inbound = Inbound.of(request, script)
    response = _welcome(inbound, script.lines(inbound.language))
    if inbound.sequence == 0:
        _record(
            inbound.params,
            calllog.call_start,
            from_number=inbound.params.get("From", "")[:32],
            to_number=inbound.params.get("To", "")[:32],
            language=inbound.language.code,
        )
    else:
        _record_step(inbound, request, Step.Kind.MAIN_MENU)
    return response


@twilio_webhook
def menu(request):
    """Step 2: key 1 (or its words) hears the directions, key 2 the planet menu, a language's
    key the main menu in that language, a planet's name that planet; anything else starts
    over."""
    script = script_get()
    inbound = Inbound.of(request, script)
    lines = script.lines(inbound.language)
    pressed, planet = inbound.pressed, None
    if (understood := _listen(inbound, speech.vocabulary(lines).main)) is not None:
        planet = lines.active_planet(understood.planet_pk)
        pressed = _as_key(understood)
    chosen = script.language_for_key(pressed)
    if planet is not None:
        response = (
            _dial(inbound, lines, planet)
            if understood.sure
            else _confirm(inbound, lines, planet, attempts=inbound.attempts)
        )
    elif pressed == "1":
        response = twiml.directions(sentences=lines.directions())
    elif pressed == "2":
        response = _planet_menu(inbound, lines, attempts=inbound.attempts)
    elif chosen is not None:
        response = _welcome(inbound, script.lines(chosen))
        _record(inbound.params, calllog.call_language, language=chosen.code)
    else:
        attempts = inbound.attempts + 1
        first = (
            _a_miss(pressed)
            if pressed in (NO_INPUT, NOT_UNDERSTOOD)
            else Prompt.Key.RETURNING_TO_MENU
        )
        response = _goodbye_if_out_of_attempts(attempts, lines) or _back_to_welcome(
            inbound, lines.sentence(first), attempts=attempts
        )
    _record_step(
        inbound, request, Step.Kind.MENU_KEY, digits=inbound.pressed, planet_id=planet and planet.pk
    )
    return response


@twilio_webhook
def planets(request):
    """Step 3: a planet's key or name dials it (a doubtful name is confirmed first), star or
    "back" goes back, anything else hears the menu again."""
    script = script_get()
    inbound = Inbound.of(request, script)
    lines = script.lines(inbound.language)
    pressed, chosen, sure = inbound.pressed, None, True
    if (understood := _listen(inbound, speech.vocabulary(lines).planets)) is not None:
        chosen, sure = lines.active_planet(understood.planet_pk), understood.sure
        pressed = _as_key(understood)
    elif pressed != "*":
        chosen = lines.planet_for_key(pressed)
    if chosen is not None:
        response = (
            _dial(inbound, lines, chosen)
            if sure
            else _confirm(inbound, lines, chosen, attempts=inbound.attempts)
        )
    elif pressed == "*":
        response = _back_to_welcome(
            inbound, lines.sentence(Prompt.Key.RETURNING_TO_MENU), attempts=inbound.attempts
        )
    else:
        attempts = inbound.attempts + 1
        response = _goodbye_if_out_of_attempts(attempts, lines) or _planet_menu(
            inbound, lines, attempts=attempts, before=[lines.sentence(_a_miss(pressed))]
        )
    _record_step(
        inbound,
        request,
        Step.Kind.PLANET_KEY,
        digits=inbound.pressed,
        planet_id=chosen and chosen.pk,
    )
    return response


@twilio_webhook
def confirm(request):
    """Step 3a: after a doubtful name, yes (or 1) dials the planet, no (or 2) goes back to the
    planet menu; anything else asks again."""
    script = script_get()
    inbound = Inbound.of(request, script)
    lines = script.lines(inbound.language)
    planet = lines.active_planet(_bounded_int(request.GET.get("planet", ""), upper=2**63 - 1))
    pressed = inbound.pressed
    if (understood := _listen(inbound, speech.vocabulary(lines).confirm)) is not None:
        pressed = _as_key(understood)
    if planet is None or pressed == "2":
        # A planet deactivated meanwhile cannot be dialed: the caller chooses again.
        response = _planet_menu(inbound, lines, attempts=inbound.attempts)
    elif pressed == "1":
        response = _dial(inbound, lines, planet)
    else:
        attempts = inbound.attempts + 1
        response = _goodbye_if_out_of_attempts(attempts, lines) or _confirm(
            inbound, lines, planet, attempts=attempts, before=lines.sentence(_a_miss(pressed))
        )
    _record_step(
        inbound,
        request,
        Step.Kind.CONFIRM,
        digits=inbound.pressed,
        planet_id=planet and planet.pk,
    )
    return response


@twilio_webhook
def dialed(request):
    """Step 4: after the Dial; a completed call ends politely, any other outcome retries."""
    script = script_get()
    inbound = Inbound.of(request, script)
    lines = script.lines(inbound.language)
    dial_status = inbound.params.get("DialCallStatus", "")[:16]
    pk = _bounded_int(request.GET.get("planet", ""), upper=2**63 - 1) or None
    if dial_status == "completed":
        response = twiml.say_and_hang_up(sentence=lines.sentence(Prompt.Key.DIAL_COMPLETED))
    else:
        # A planet deleted while it was being dialed has no name left to say; offer the menu.
        failed = lines.dial_failed(pk)
        response = _planet_menu(
            inbound, lines, attempts=inbound.attempts, before=[failed] if failed else []
        )
    _record_step(
        inbound,
        request,
        Step.Kind.DIAL_OUTCOME,
        planet_id=pk,
        dial_status=dial_status,
        dial_duration=_bounded_int(inbound.params.get("DialCallDuration", ""), upper=10**9) or None,
    )
    return response


@twilio_webhook
def status(request):
    """Twilio's status callback at the end of a call: its final status and duration."""
    params = _params(request)
    call_status = params.get("CallStatus", "")
    if call_status in Call.Status.values:
        _record(
            params,
            calllog.call_end,
            from_number=params.get("From", "")[:32],
            to_number=params.get("To", "")[:32],
            status=call_status,
            duration=_bounded_int(params.get("CallDuration", ""), upper=10**9),
        )
    return twiml.VoiceResponse()


@twilio_webhook
def fallback(request):
    """Twilio's Fallback URL, used when another step failed: apologise, touching no database."""
    params = _params(request)
    logger.error(
        "Twilio used the fallback URL for call %s: ErrorCode=%s ErrorUrl=%s",
        params.get("CallSid", "(unknown)")[:64],
        params.get("ErrorCode", "")[:16],
        params.get("ErrorUrl", "")[:500],
    )
    return apologize()


@twilio_webhook
def elsewhere(request, path=""):
    """Any other /ivr/ URL (a mistyped console setting, a stray slash): back to the main menu."""
    script = script_get()
    inbound = Inbound.of(request, script)
    return twiml.say_and_redirect(
        sentence=script.lines(inbound.language).sentence(Prompt.Key.RETURNING_TO_MENU),
        url=reverse("ivr:welcome"),
    )


def health(request):
    """For a load balancer: the process answers. Touches neither the database nor the log."""
    return HttpResponse("ok\n", content_type="text/plain")


def health_database(request):
    """For a load balancer or a monitor: the directory can be read, and how far behind the
    call log's writer in this process is (0 when it is up to date)."""
    try:
        Prompt.objects.exists()
    except DatabaseError:
        logger.exception("Health check: the database cannot be read")
        return HttpResponse("database unavailable\n", content_type="text/plain", status=503)
    return HttpResponse(
        f"ok\ncall log entries waiting: {calllog.spool_backlog()}\n", content_type="text/plain"
    )


def home(request):
    """What this is, and the webhook URLs to paste into the Twilio console."""
    return render(
        request,
        "ivr/home.html",
        {
            "welcome_url": request.build_absolute_uri(reverse("ivr:welcome")),
            "fallback_url": request.build_absolute_uri(reverse("ivr:fallback")),
            "status_url": request.build_absolute_uri(reverse("ivr:status")),
            "admin_url": reverse("admin:index"),
        },
    )
