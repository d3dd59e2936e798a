"""Twilio voice webhooks for each step of the call, and the home page."""

import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from calllog import services as calllog
from calllog.models import SIMULATED_ACCOUNT_SID, Call, Step
from directory.models import Prompt
from directory.selectors import script_get

from . import twiml
from .decorators import apology, twilio_webhook

logger = logging.getLogger("ivr")

KEYS = "0123456789*#"
NO_INPUT = ""
INVALID = "invalid"
MAX_STEPS = 10_000


def _bounded_int(value: str, *, upper: int) -> int:
    try:
        return min(max(int(value), 0), upper)
    except ValueError:
        return 0


@dataclass(frozen=True)
class Turn:
    """What one webhook request tells us: who calls, what they pressed, where the call is."""

    params: dict
    call_sid: str
    pressed: str
    # Failed attempts so far and the step's number in the call; both travel in our own URLs.
    attempts: int
    step: int

    @classmethod
    def of(cls, request) -> "Turn":
        params = request.POST if request.method == "POST" else request.GET
        digits = params.get("Digits", "")
        if digits == "":
            pressed = NO_INPUT
        else:
            pressed = digits if len(digits) == 1 and digits in KEYS else INVALID
        return cls(
            params=params,
            call_sid=params.get("CallSid", "")[:64],
            pressed=pressed,
            attempts=_bounded_int(
                request.GET.get("attempts", "0"), upper=settings.IVR_MAX_ATTEMPTS
            ),
            step=_bounded_int(request.GET.get("step", "0"), upper=MAX_STEPS),
        )

    def next_url(self, name: str, *, attempts: int | None = None, **params) -> str:
        """The URL of the call's next step; the query string is sorted, as Twilio signs it."""
        params.update(attempts=self.attempts if attempts is None else attempts, step=self.step + 1)
        query = sorted((key, value) for key, value in params.items() if value)
        return f"{reverse(name)}?{urlencode(query)}"


def _record(turn: Turn, write, **fields) -> None:
    """Log the step; a failure to log never changes what the caller hears."""
    if not turn.call_sid or turn.params.get("AccountSid") == SIMULATED_ACCOUNT_SID:
        return
    try:
        write(call_sid=turn.call_sid, **fields)
    except Exception:
        logger.exception("Could not record step %s of call %s", turn.step, turn.call_sid)


def _record_step(turn: Turn, request, kind: str, **fields) -> None:
    token = request.headers.get("I-Twilio-Idempotency-Token", "")[:128]
    _record(
        turn,
        calllog.step_record,
        sequence=turn.step,
        kind=kind,
        idempotency_token=token,
        **fields,
    )


def _goodbye_if_out_of_attempts(attempts: int, prompts):
    if attempts >= settings.IVR_MAX_ATTEMPTS:
        return twiml.say_and_hang_up(sentence=prompts[Prompt.Key.GOODBYE])
    return None


def _planet_menu(turn: Turn, prompts, planets, *, attempts: int, before=None):
    return twiml.planet_menu(
        sentences=twiml.planet_menu_sentences(prompts=prompts, planets=planets),
        planets_url=turn.next_url("ivr:planets", attempts=attempts),
        before=before,
    )


def _back_to_welcome(turn: Turn, sentence, *, attempts: int):
    return twiml.say_and_redirect(
        sentence=sentence, url=turn.next_url("ivr:welcome", attempts=attempts)
    )


@twilio_webhook
def welcome(request):
    """Step 1: greet the caller and gather the main-menu key."""
    turn = Turn.of(request)
    prompts = script_get().prompts
    response = twiml.welcome(
        greeting=prompts[Prompt.Key.GREETING], menu_url=turn.next_url("ivr:menu")
    )
    if turn.step == 0:
        _record(
            turn,
            calllog.call_start,
            from_number=turn.params.get("From", "")[:32],
            to_number=turn.params.get("To", "")[:32],
        )
    else:
        _record_step(turn, request, Step.Kind.MAIN_MENU)
    return response


@twilio_webhook
def menu(request):
    """Step 2: key 1 hears the directions, key 2 the planet menu, anything else starts over."""
    turn = Turn.of(request)
    script = script_get()
    prompts = script.prompts
    if turn.pressed == "1":
        response = twiml.directions(
            directions=script.directions or prompts[Prompt.Key.DIRECTIONS_UNAVAILABLE],
            thank_you=prompts[Prompt.Key.THANK_YOU],
        )
    elif turn.pressed == "2":
        response = _planet_menu(turn, prompts, script.planets, attempts=turn.attempts)
    else:
        attempts = turn.attempts + 1
        first = Prompt.Key.NO_INPUT if turn.pressed == NO_INPUT else Prompt.Key.RETURNING_TO_MENU
        response = _goodbye_if_out_of_attempts(attempts, prompts) or _back_to_welcome(
            turn, prompts[first], attempts=attempts
        )
    _record_step(turn, request, Step.Kind.MENU_KEY, digits=turn.pressed)
    return response


@twilio_webhook
def planets(request):
    """Step 3: a planet's key dials it, star goes back, anything else hears the menu again."""
    turn = Turn.of(request)
    script = script_get()
    prompts, active = script.prompts, script.planets
    chosen = None
    if turn.pressed == "*":
        response = _back_to_welcome(
            turn, prompts[Prompt.Key.RETURNING_TO_MENU], attempts=turn.attempts
        )
    else:
        chosen = next((planet for planet in active if planet.key == turn.pressed), None)
        if chosen is not None:
            response = twiml.dial(
                number=chosen.phone_number,
                action_url=turn.next_url("ivr:dialed", planet=chosen.pk),
            )
        else:
            attempts = turn.attempts + 1
            before = Prompt.Key.NO_INPUT if turn.pressed == NO_INPUT else Prompt.Key.INVALID_KEY
            response = _goodbye_if_out_of_attempts(attempts, prompts) or _planet_menu(
                turn, prompts, active, attempts=attempts, before=prompts[before]
            )
    _record_step(
        turn, request, Step.Kind.PLANET_KEY, digits=turn.pressed, planet_id=chosen and chosen.pk
    )
    return response


@twilio_webhook
def dialed(request):
    """Step 4: after the Dial; a completed call ends politely, any other outcome offers a message
    (when the planet takes them) or the planet menu again."""
    turn = Turn.of(request)
    status = turn.params.get("DialCallStatus", "")[:16]
    pk = _bounded_int(request.GET.get("planet", ""), upper=2**63 - 1) or None
    script = script_get(extra_planet=pk)
    prompts = script.prompts
    if status == "completed":
        response = twiml.say_and_hang_up(sentence=prompts[Prompt.Key.DIAL_COMPLETED])
    else:
        active, planet = script.planets, script.extra_planet
        # A planet deleted while it was being dialed has no name left to say; offer the menu.
        failed = planet and twiml.fill(prompts[Prompt.Key.DIAL_FAILED], planet=planet.spoken_name)
        # ivr.voicemail builds on this module's Turn, hence imported here.
        from .voicemail import offer

        response = offer(turn, prompts, planet, before=failed) or _planet_menu(
            turn, prompts, active, attempts=turn.attempts, before=failed
        )
    _record_step(
        turn,
        request,
        Step.Kind.DIAL_OUTCOME,
        planet_id=pk,
        dial_status=status,
        dial_duration=_bounded_int(turn.params.get("DialCallDuration", ""), upper=10**9) or None,
    )
    return response


@twilio_webhook
def status(request):
    """Twilio's status callback at the end of a call: its final status and duration."""
    turn = Turn.of(request)
    call_status = turn.params.get("CallStatus", "")
    if call_status in Call.Status.values:
        _record(
            turn,
            calllog.call_end,
            from_number=turn.params.get("From", "")[:32],
            to_number=turn.params.get("To", "")[:32],
            status=call_status,
            duration=_bounded_int(turn.params.get("CallDuration", ""), upper=10**9),
        )
    return twiml.VoiceResponse()


@twilio_webhook
def fallback(request):
    """Twilio's Fallback URL, used when another step failed: apologise, touching no database."""
    params = Turn.of(request).params
    logger.error(
        "Twilio used the fallback URL for call %s: ErrorCode=%s ErrorUrl=%s",
        params.get("CallSid", "(unknown)")[:64],
        params.get("ErrorCode", "")[:16],
        params.get("ErrorUrl", "")[:500],
    )
    return apology()


@twilio_webhook
def elsewhere(request, path=""):
    """Any other /ivr/ URL (a mistyped console setting, a stray slash): back to the main menu."""
    prompts = script_get().prompts
    return twiml.say_and_redirect(
        sentence=prompts[Prompt.Key.RETURNING_TO_MENU], url=reverse("ivr:welcome")
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
